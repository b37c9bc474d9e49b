using System.Buffers;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Portal.Tests.Infrastructure;

/// <summary>An in-process SMTP server: the portal sends real SMTP (MailKit) and tests read what arrived.</summary>
public sealed partial class TestSmtpServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    /// <param name="start">False for a mail server that is down until <see cref="Start"/>.</param>
    public TestSmtpServer(bool start = true)
    {
        Port = Processes.FreePort();
        if (start)
        {
            Start();
        }
    }

    public void Start()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(e => e.Port(Port).AllowUnsecureAuthentication()).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public int Port { get; }

    public IReadOnlyCollection<MimeMessage> Messages => _messages;

    /// <summary>Waits for a message to <paramref name="to"/> whose subject contains <paramref name="subject"/>.</summary>
    public async Task<MimeMessage> WaitForAsync(string to, string subject, int skip = 0)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            var found = _messages
                .Where(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, to, StringComparison.OrdinalIgnoreCase))
                    && (m.Subject ?? "").Contains(subject, StringComparison.OrdinalIgnoreCase))
                .Skip(skip)
                .FirstOrDefault();
            if (found is not null)
            {
                return found;
            }

            try
            {
                // Woken by an arrival; the short timeout covers several waiters sharing one signal.
                await _arrived.WaitAsync(TimeSpan.FromMilliseconds(200), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No email '{subject}' to {to} arrived; got: {string.Join(", ", _messages.Select(m => $"{m.To}: {m.Subject}"))}");
            }
        }
    }

    /// <summary>The first link of a message's text part that contains <paramref name="pathFragment"/>.</summary>
    public static string LinkIn(MimeMessage message, string pathFragment) =>
        LinkPattern().Matches(message.TextBody ?? "").Select(m => m.Value).FirstOrDefault(l => l.Contains(pathFragment, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"No link with '{pathFragment}' in: {message.TextBody}");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _arrived.Dispose();
    }

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex LinkPattern();

    private sealed class Store(TestSmtpServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            server._messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            server._arrived.Release();
            return SmtpResponse.Ok;
        }
    }
}
