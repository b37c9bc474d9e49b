using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Portal.Jobs.Notifications;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Notifications;

public sealed class EmailRetryTests(TestServers servers) : PortalTest(servers)
{
    protected override async Task<PortalApp> CreateAppAsync() =>
        new(Servers, await Servers.Postgres.CreateDatabaseAsync(), new Dictionary<string, string?> { ["Portal:Roles:1"] = "worker" }, smtpUp: false);

    [Fact]
    public async Task MailServerDown_RegistrationStillWorks_AndTheEmailIsDeliveredByTheRetryJob()
    {
        using var client = App.CreatePortalClient();
        var email = AccountSteps.NewEmail();

        var page = await AccountSteps.RegisterAsync(client, email);
        Assert.Equal("/Account/RegisterConfirmation", page.Url.AbsolutePath);

        var storage = App.Services.GetRequiredService<JobStorage>();
        var jobId = await WaitForScheduledRetryAsync(storage);
        using (var connection = storage.GetConnection())
        {
            var argument = (string)connection.GetJobData(jobId).Job.Args[0];
            Assert.DoesNotContain(email, argument, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("ConfirmEmail", argument, StringComparison.Ordinal);
        }

        // The mail server comes back; the retry runs now instead of at its scheduled time.
        App.Smtp.Start();
        App.Services.GetRequiredService<IBackgroundJobClient>().Requeue(jobId);

        var confirmed = await client.GetAsync(await AccountSteps.ConfirmationLinkAsync(App, email));
        Assert.Contains("your email is confirmed", confirmed.Text, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<string> WaitForScheduledRetryAsync(JobStorage storage)
    {
        var monitoring = storage.GetMonitoringApi();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            // The mail server is still down, so the job's first try fails and it waits for its next one.
            var id = monitoring.ScheduledJobs(0, 10).FirstOrDefault(j => j.Value?.Job?.Type == typeof(DeliverEmailJob)).Key;
            if (id is not null)
            {
                return id;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException("No email delivery job is waiting for a retry.");
    }
}
