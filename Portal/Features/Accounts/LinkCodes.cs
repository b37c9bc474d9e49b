using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Portal.Features.Accounts;

/// <summary>Identity tokens as they travel in emailed links: base64url, so they survive a query string.</summary>
internal static class LinkCodes
{
    public static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    /// <summary>The token, or null for a missing or mangled code (a link cut short or edited by hand).</summary>
    public static string? Decode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
