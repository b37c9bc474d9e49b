using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace Portal.Core.Webhooks;

/// <summary>One signed POST of a delivery's body through the <c>webhooks</c> HttpClient, described as an attempt.</summary>
public sealed class WebhookSender(IHttpClientFactory httpClients, IOptionsMonitor<WebhooksOptions> options)
{
    public const string ClientName = "webhooks";
    public const int ExcerptBytes = 1024;
    public const string UserAgent = "AuthSome-Webhooks/1.0 (+https://authsome.cloud/docs/webhooks)";

    /// <summary>What one attempt gave: an HTTP status, or an error (and whether it was an SSRF refusal).</summary>
    public sealed record Result(int? StatusCode, string? Error, string? ResponseExcerpt, int DurationMs, bool Refused);

    public async Task<Result> SendAsync(
        string url, string deliveryId, string eventType, string body, long timestamp, IReadOnlyList<string> secrets, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.HeaderValue(timestamp, body, secrets));
        request.Headers.TryAddWithoutValidation(WebhookSignature.EventHeader, eventType);
        request.Headers.TryAddWithoutValidation(WebhookSignature.DeliveryHeader, deliveryId);
        request.Headers.UserAgent.ParseAdd(UserAgent);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));

        var timeout = options.CurrentValue.Timeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await httpClients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var excerpt = await ReadExcerptAsync(response.Content, deadline.Token);
            return new((int)response.StatusCode, null, excerpt, Elapsed(watch), false);
        }
        catch (Exception e) when (Refusal(e) is { } refused)
        {
            return new(null, Truncate(refused.Message), null, Elapsed(watch), true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(null, $"Timed out after {timeout.TotalSeconds:0.#} s.", null, Elapsed(watch), false);
        }
        catch (HttpRequestException e)
        {
            return new(null, Truncate(Describe(e)), null, Elapsed(watch), false);
        }
        catch (Exception e) when (e is InvalidOperationException or UriFormatException or IOException)
        {
            // Recorded as an attempt (and retried) rather than thrown, which would leave the delivery to the sweeper forever.
            return new(null, Truncate(e.Message), null, Elapsed(watch), false);
        }
    }

    private static WebhookDestinationRefusedException? Refusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is WebhookDestinationRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    private static string Describe(HttpRequestException e) =>
        e.InnerException is SocketException socket ? $"{e.Message} ({socket.SocketErrorCode})" : e.Message;

    private static int Elapsed(Stopwatch watch) => (int)Math.Min(int.MaxValue, watch.ElapsedMilliseconds);

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..499] + "…";

    private static async Task<string?> ReadExcerptAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[ExcerptBytes];
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), cancellationToken) is var n and > 0)
        {
            read += n;
        }

        if (read == 0)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(buffer, 0, read);
        return text.Length <= ExcerptBytes ? text : text[..ExcerptBytes];
    }

    /// <summary>
    /// The primary handler of the <c>webhooks</c> client: no redirects, no proxy, no cookies, and a connect callback that
    /// resolves the host itself and connects only to addresses <see cref="WebhookDestinations.IsPrivate"/> allows (so a
    /// DNS answer that changed since the endpoint was saved cannot reach the inside).
    /// </summary>
    public static SocketsHttpHandler CreateHandler(IOptionsMonitor<WebhooksOptions> options) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = options.CurrentValue.Timeout,
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, options.CurrentValue.AllowPrivateDestinations, cancellationToken),
    };

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken);
        var allowed = allowPrivate ? addresses : [.. addresses.Where(a => !WebhookDestinations.IsPrivate(a))];
        if (allowed.Length == 0)
        {
            throw new WebhookDestinationRefusedException(endPoint.Host, addresses);
        }

        Exception? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, endPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }
}
