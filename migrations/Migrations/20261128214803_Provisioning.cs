using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Provisioning : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ProvisioningRuns",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ApplicationId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProvisioningRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ProvisioningRuns_Applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "Applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TenantCredentials",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Namespace = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    DatabaseName = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    DatabaseRole = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    RedisUser = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    RedisKeyPrefix = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    ProtectedDatabasePassword = table.Column<string>(type: "text", nullable: false),
                    ProtectedRedisPassword = table.Column<string>(type: "text", nullable: false),
                    ProtectedSigningKey = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TenantCredentials", x => x.ApplicationId);
                    table.ForeignKey(
                        name: "FK_TenantCredentials_Applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "Applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProvisioningSteps",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RunId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Order = table.Column<int>(type: "integer", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProvisioningSteps", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ProvisioningSteps_ProvisioningRuns_RunId",
                        column: x => x.RunId,
                        principalTable: "ProvisioningRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ProvisioningRuns_ApplicationId_CreatedAt",
                table: "ProvisioningRuns",
                columns: new[] { "ApplicationId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ProvisioningSteps_RunId_Order",
                table: "ProvisioningSteps",
                columns: new[] { "RunId", "Order" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TenantCredentials_DatabaseName",
                table: "TenantCredentials",
                column: "DatabaseName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TenantCredentials_DatabaseRole",
                table: "TenantCredentials",
                column: "DatabaseRole",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TenantCredentials_Namespace",
                table: "TenantCredentials",
                column: "Namespace",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TenantCredentials_RedisUser",
                table: "TenantCredentials",
                column: "RedisUser",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ProvisioningSteps");

            migrationBuilder.DropTable(
                name: "TenantCredentials");

            migrationBuilder.DropTable(
                name: "ProvisioningRuns");
        }
    }
}
