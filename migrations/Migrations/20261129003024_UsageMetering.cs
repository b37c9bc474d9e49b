using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class UsageMetering : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "UsageDays",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Requests1xx = table.Column<long>(type: "bigint", nullable: false),
                    Requests2xx = table.Column<long>(type: "bigint", nullable: false),
                    Requests3xx = table.Column<long>(type: "bigint", nullable: false),
                    Requests4xx = table.Column<long>(type: "bigint", nullable: false),
                    Requests5xx = table.Column<long>(type: "bigint", nullable: false),
                    BytesIn = table.Column<long>(type: "bigint", nullable: false),
                    BytesOut = table.Column<long>(type: "bigint", nullable: false),
                    Latency = table.Column<long[]>(type: "bigint[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageDays", x => new { x.ApplicationId, x.Start });
                });

            migrationBuilder.CreateTable(
                name: "UsageHours",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Requests1xx = table.Column<long>(type: "bigint", nullable: false),
                    Requests2xx = table.Column<long>(type: "bigint", nullable: false),
                    Requests3xx = table.Column<long>(type: "bigint", nullable: false),
                    Requests4xx = table.Column<long>(type: "bigint", nullable: false),
                    Requests5xx = table.Column<long>(type: "bigint", nullable: false),
                    BytesIn = table.Column<long>(type: "bigint", nullable: false),
                    BytesOut = table.Column<long>(type: "bigint", nullable: false),
                    Latency = table.Column<long[]>(type: "bigint[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageHours", x => new { x.ApplicationId, x.Start });
                });

            migrationBuilder.CreateTable(
                name: "UsageMinutes",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Requests1xx = table.Column<long>(type: "bigint", nullable: false),
                    Requests2xx = table.Column<long>(type: "bigint", nullable: false),
                    Requests3xx = table.Column<long>(type: "bigint", nullable: false),
                    Requests4xx = table.Column<long>(type: "bigint", nullable: false),
                    Requests5xx = table.Column<long>(type: "bigint", nullable: false),
                    BytesIn = table.Column<long>(type: "bigint", nullable: false),
                    BytesOut = table.Column<long>(type: "bigint", nullable: false),
                    Latency = table.Column<long[]>(type: "bigint[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageMinutes", x => new { x.ApplicationId, x.Start });
                });

            migrationBuilder.CreateTable(
                name: "UsageMonthlyActiveUsers",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Month = table.Column<DateOnly>(type: "date", nullable: false),
                    Users = table.Column<long>(type: "bigint", nullable: false),
                    MeasuredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageMonthlyActiveUsers", x => new { x.ApplicationId, x.Month });
                });

            migrationBuilder.CreateTable(
                name: "UsageRollupClaims",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    AppliedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageRollupClaims", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "UsageStorageSamples",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    MeasuredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Bytes = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageStorageSamples", x => new { x.ApplicationId, x.MeasuredAt });
                });

            migrationBuilder.CreateIndex(
                name: "IX_UsageDays_Start",
                table: "UsageDays",
                column: "Start");

            migrationBuilder.CreateIndex(
                name: "IX_UsageHours_Start",
                table: "UsageHours",
                column: "Start");

            migrationBuilder.CreateIndex(
                name: "IX_UsageMinutes_Start",
                table: "UsageMinutes",
                column: "Start");

            migrationBuilder.CreateIndex(
                name: "IX_UsageRollupClaims_AppliedAt",
                table: "UsageRollupClaims",
                column: "AppliedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "UsageDays");

            migrationBuilder.DropTable(
                name: "UsageHours");

            migrationBuilder.DropTable(
                name: "UsageMinutes");

            migrationBuilder.DropTable(
                name: "UsageMonthlyActiveUsers");

            migrationBuilder.DropTable(
                name: "UsageRollupClaims");

            migrationBuilder.DropTable(
                name: "UsageStorageSamples");
        }
    }
}
