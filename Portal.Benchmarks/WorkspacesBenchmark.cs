using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using Portal.Core.Accounts;

namespace Portal.Benchmarks;

/// <summary>
/// The workspace pages and control API under the issue's data volume: 1,000 workspaces, 50,000 members and 200,000
/// audit events, against a running portal (<c>./dev.sh bench workspaces</c> starts one). Times are measured by the
/// client over loopback, so they bound the server time from above.
/// </summary>
internal static partial class WorkspacesBenchmark
{
    private const string Email = "bench@example.com";
    private const string Password = "quiet harbor lantern 42 mosaic";
    private const int Workspaces = 1_000;
    private const int Members = 50_000;
    private const int AuditEvents = 200_000;

    /// <summary>The bench user belongs to this many workspaces: the list page shows a full page of them.</summary>
    private const int BenchUserWorkspaces = 100;

    public static async Task<int> RunAsync(string[] args)
    {
        var url = new Uri(Argument(args, "--url") ?? "http://127.0.0.1:5090");
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Portal")
            ?? throw new InvalidOperationException("Set ConnectionStrings__Portal to the bench database.");
        var iterations = int.Parse(Argument(args, "--iterations") ?? "200", CultureInfo.InvariantCulture);

        await SeedAsync(connectionString);

        using var handler = new HttpClientHandler { UseCookies = true, AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { BaseAddress = url };
        var token = await LoginAsync(http);
        await SignInAsync(http);
        const string workspace = "ws_bench1";
        using var api = new HttpRequestMessage();
        var bearer = new AuthenticationHeaderValue("Bearer", token);

        var results = new List<(string Name, double[] Ms)>
        {
            ("GET /control/v1/workspaces?pageSize=100", await MeasureAsync(iterations, () => GetAsync(http, "/control/v1/workspaces?pageSize=100", bearer))),
            ($"GET /control/v1/workspaces/{{id}}/members?pageSize=100", await MeasureAsync(iterations, () => GetAsync(http, $"/control/v1/workspaces/{workspace}/members?pageSize=100", bearer))),
            ("page /workspaces (prerendered)", await MeasureAsync(iterations, () => GetAsync(http, "/workspaces", null))),
            ("page /workspaces/{id}/members (prerendered)", await MeasureAsync(iterations, () => GetAsync(http, $"/workspaces/{workspace}/members", null))),
        };

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Seeded: {Workspaces:N0} workspaces, {Members:N0} members (+{BenchUserWorkspaces} memberships of the bench user), {AuditEvents:N0} audit events; {iterations} requests each after 20 warm-up requests"));
        Console.WriteLine();
        Console.WriteLine($"{"request",-58}{"median",9}{"p95",9}{"p99",9}   (ms)");
        foreach (var (name, ms) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-58}{Percentile(ms, 0.50),9:F1}{Percentile(ms, 0.95),9:F1}{Percentile(ms, 0.99),9:F1}"));
        }

        await ExplainAsync(connectionString);
        return 0;
    }

    private static string? Argument(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static async Task<double[]> MeasureAsync(int iterations, Func<Task> request)
    {
        for (var i = 0; i < 20; i++)
        {
            await request();
        }

        var ms = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await request();
            ms[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(ms);
        return ms;
    }

    private static async Task GetAsync(HttpClient http, string path, AuthenticationHeaderValue? bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = bearer;
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode || body.Length == 0)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}");
        }
    }

    private static async Task<string> LoginAsync(HttpClient http)
    {
        using var response = await http.PostAsJsonAsync("/control/v1/auth/login", new { email = Email, password = Password });
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>Signs in through the login form, as a browser does, so that the pages answer with the session cookie.</summary>
    private static async Task SignInAsync(HttpClient http)
    {
        var form = await http.GetStringAsync("/Account/Login");
        var antiforgery = AntiforgeryField().Match(form).Groups[1].Value;
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = antiforgery,
            ["_handler"] = "login",
            ["Input.Email"] = Email,
            ["Input.Password"] = Password,
        });
        using var response = await http.PostAsync("/Account/Login", content);
        if ((int)response.StatusCode != 302)
        {
            throw new InvalidOperationException($"Signing in answered {(int)response.StatusCode}");
        }
    }

    /// <summary>Seeds once: a run on a seeded database measures at once.</summary>
    private static async Task SeedAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var seeded = dataSource.CreateCommand("SELECT count(*) FROM \"AspNetUsers\" WHERE \"NormalizedEmail\" = 'BENCH@EXAMPLE.COM'"))
        {
            if ((long)(await seeded.ExecuteScalarAsync())! > 0)
            {
                return;
            }
        }

        var started = Stopwatch.GetTimestamp();
        var hash = new PasswordHasher<PortalUser>().HashPassword(new PortalUser(), Password);
        await using var seed = dataSource.CreateCommand($$"""
            INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed", "PasswordHash",
                "SecurityStamp", "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount",
                "DisplayName", "PrefersDarkMode", "IsPlatformAdmin", "LastTotpTimeStep", "CreatedAt")
            SELECT 'usr_bench' || i, e, upper(e), e, upper(e), true, @hash, md5(i::text), md5(i::text), false, false, true, 0,
                'Member ' || i, false, false, 0, now()
            FROM generate_series(0, {{Members}}) AS i, LATERAL (SELECT CASE WHEN i = 0 THEN 'bench@example.com' ELSE 'member' || i || '@example.com' END AS e) AS emails;

            INSERT INTO "Workspaces" ("Id", "Name", "Slug", "Plan", "Status", "Metadata", "RequireTwoFactor", "CreatedAt", "CreatedByUserId")
            SELECT 'ws_bench' || i, 'Workspace ' || i, 'bench-' || i, 'Free', 'Active', '{}', false, now(), 'usr_bench0'
            FROM generate_series(1, {{Workspaces}}) AS i;

            INSERT INTO "Members" ("Id", "WorkspaceId", "UserId", "Role", "JoinedAt")
            SELECT 'mem_bench' || i, 'ws_bench' || ((i - 1) % {{Workspaces}} + 1), 'usr_bench' || i,
                (ARRAY['Owner', 'Admin', 'Developer', 'Billing', 'Viewer'])[(i - 1) / {{Workspaces}} % 5 + 1], now()
            FROM generate_series(1, {{Members}}) AS i;

            INSERT INTO "Members" ("Id", "WorkspaceId", "UserId", "Role", "JoinedAt")
            SELECT 'mem_benchowner' || i, 'ws_bench' || i, 'usr_bench0', 'Owner', now()
            FROM generate_series(1, {{BenchUserWorkspaces}}) AS i;

            INSERT INTO "AuditEvents" ("OccurredAt", "WorkspaceId", "ActorType", "ActorId", "ActorName", "Action", "TargetType", "TargetId", "Changes")
            SELECT now() - (i || ' seconds')::interval, 'ws_bench' || (i % {{Workspaces}} + 1), 'user', 'usr_bench' || (i % {{Members}} + 1),
                'member' || (i % {{Members}} + 1) || '@example.com', (ARRAY['workspace.updated', 'member.role_changed', 'invitation.created'])[i % 3 + 1],
                'workspace', 'ws_bench' || (i % {{Workspaces}} + 1), @changes::jsonb
            FROM generate_series(1, {{AuditEvents}}) AS i;

            ANALYZE;
            """);
        seed.Parameters.Add(new NpgsqlParameter("hash", hash));
        seed.Parameters.Add(new NpgsqlParameter("changes", """{"name": {"before": "a", "after": "b"}}"""));
        seed.CommandTimeout = 600;
        await seed.ExecuteNonQueryAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Seeded in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));
    }

    /// <summary>The plans of the two list queries, as the control API and pages run them.</summary>
    private static async Task ExplainAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        foreach (var (name, sql) in new[]
        {
            ("workspaces of a user", """
                SELECT w."Id", w."Name", (SELECT count(*) FROM "Members" o WHERE o."WorkspaceId" = m."WorkspaceId")
                FROM "Members" m JOIN "Workspaces" w ON w."Id" = m."WorkspaceId"
                WHERE m."UserId" = 'usr_bench0' AND w."Status" <> 'Deleted' ORDER BY w."Name", m."WorkspaceId" LIMIT 100
                """),
            ("members of a workspace", """
                SELECT m."Id", u."Email" FROM "Members" m JOIN "AspNetUsers" u ON u."Id" = m."UserId"
                WHERE m."WorkspaceId" = 'ws_bench1' ORDER BY m."Role", u."Email", m."Id" LIMIT 100
                """),
        })
        {
            await using var explain = dataSource.CreateCommand("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql);
            await using var reader = await explain.ExecuteReaderAsync();
            Console.WriteLine();
            Console.WriteLine($"Plan, {name}:");
            while (await reader.ReadAsync())
            {
                Console.WriteLine("  " + reader.GetString(0));
            }
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
