namespace Portal.Features.Proxy;

/// <summary>
/// <see cref="ForwardingTransformer"/> plus the proxy's response work: its own headers replace the instance's of the
/// same names, and a sign-up / sign-in / refresh answer yields the user id (header, else a bounded JSON body).
/// The response body is tapped (counted) only when its length is not announced or the user id must be read from it.
/// </summary>
public sealed class ProxyTransformer : ForwardingTransformer
{
    public static new readonly ProxyTransformer Instance = new();

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (!copy || httpContext.Features.Get<ProxyExchange>() is not { } exchange)
        {
            return copy;
        }

        var response = httpContext.Response;
        exchange.ApplyHeaders(response.Headers);
        var captureLimit = 0;
        if (exchange.AuthenticatesUser && response.StatusCode is >= 200 and < 300)
        {
            var header = response.Headers[ProxyHeaders.UserId];
            if (header.Count == 1 && header[0] is { Length: > 0 and <= 256 } id)
            {
                exchange.UserId = id;
            }
            else if (response.ContentType is { } type && type.Contains("json", StringComparison.OrdinalIgnoreCase)
                && (response.ContentLength is null || response.ContentLength <= exchange.MaxUserIdBodySize))
            {
                captureLimit = exchange.MaxUserIdBodySize;
            }
        }

        if (captureLimit > 0 || response.ContentLength is null)
        {
            var tap = new ResponseTapStream(response.Body, captureLimit);
            exchange.Tap = tap;
            response.Body = tap;
        }

        return true;
    }

    /// <summary>Reads <c>user.id</c> (a string) from a JSON answer; null when it is not there or the JSON is cut or wrong.</summary>
    public static string? UserIdFromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                if (reader.CurrentDepth == 1 && reader.ValueTextEquals("user"u8))
                {
                    reader.Read();
                    if (reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
                    {
                        return null;
                    }

                    while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
                    {
                        var isId = reader.ValueTextEquals("id"u8);
                        reader.Read();
                        if (isId)
                        {
                            return reader.TokenType == System.Text.Json.JsonTokenType.String && reader.GetString() is { Length: > 0 and <= 256 } id ? id : null;
                        }

                        reader.Skip();
                    }

                    return null;
                }

                reader.Read();
                reader.Skip();
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return null;
    }

}
