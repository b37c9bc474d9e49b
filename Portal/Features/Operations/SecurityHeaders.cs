using System.Security.Cryptography;

namespace Portal.Features.Operations;

public static class SecurityHeaders
{
    // Blazor Server needs its script and a WebSocket to this origin; MudBlazor sets inline styles; the 2FA QR code is a data: image.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

    /// <summary>Pages whose HTML carries an inline script of their own (the API reference): it runs by a per-request nonce.</summary>
    private static readonly PathString[] InlineScriptPages = ["/docs/api"];

    private const string NonceKey = "csp-script-nonce";

    /// <summary>The nonce an inline script of this response must carry; null on pages that allow none.</summary>
    public static string? ScriptNonce(HttpContext context) => context.Items[NonceKey] as string;

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            if (InlineScriptPages.Any(page => context.Request.Path.StartsWithSegments(page, StringComparison.OrdinalIgnoreCase)))
            {
                // Hex, so that no HTML encoding of the attribute can make it differ from the header.
                var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
                context.Items[NonceKey] = nonce;
                headers.ContentSecurityPolicy = ContentSecurityPolicy.Replace("script-src 'self'", $"script-src 'self' 'nonce-{nonce}'", StringComparison.Ordinal);
            }

            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            await next(context);
        });
}
