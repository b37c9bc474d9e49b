using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.Webhooks;

/// <summary>
/// A customer's webhook endpoint: real Kestrel on a loopback port. It records every request and answers with the
/// queued statuses (then 200).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(IReadOnlyDictionary<string, string> Headers, string Body);

    private readonly ConcurrentQueue<(int Status, string Body)> _answers = new();
    private WebApplication? _app;

    public ConcurrentQueue<Received> Requests { get; } = new();

    public Uri Address { get; private set; } = default!;

    public Uri Hook => new(Address, "/hook");

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            receiver.Requests.Enqueue(new(http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
            var (status, answer) = receiver._answers.TryDequeue(out var next) ? next : (200, "ok");
            return Results.Text(answer, "text/plain", statusCode: status);
        });
        await app.StartAsync();
        receiver._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Address = new Uri(address);
        return receiver;
    }

    public void AnswerNext(int status, string body = "") => _answers.Enqueue((status, body));

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
