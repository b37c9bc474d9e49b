using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;

namespace Portal.Core.Notifications;

/// <summary>
/// Every absolute link to a portal page that leaves the portal (emails from pages, the control API and background
/// jobs) is built here, from <c>Portal:PublicUrl</c> alone: never from the request's Host header or the address the
/// process listens on, so a forged Host cannot send a reset or invitation token to another site.
/// </summary>
public sealed class PortalLinks
{
    public PortalLinks(Uri publicUrl)
    {
        if (!publicUrl.IsAbsoluteUri || (publicUrl.Scheme != Uri.UriSchemeHttps && publicUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidOperationException($"Setting 'Portal:PublicUrl' must be an absolute http(s) address; it is '{publicUrl}'.");
        }

        BaseUrl = new Uri(publicUrl, "/");
    }

    /// <summary>The portal's public root, ending in '/'.</summary>
    public Uri BaseUrl { get; }

    /// <summary>For hosts other than the portal's own (benchmarks, tools): the setting read as it is, required.</summary>
    public static PortalLinks FromConfiguration(IConfiguration configuration) =>
        Uri.TryCreate(configuration["Portal:PublicUrl"], UriKind.Absolute, out var url)
            ? new PortalLinks(url)
            : throw new InvalidOperationException(
                "Missing setting 'Portal:PublicUrl' (environment variable Portal__PublicUrl): the portal's public address, used in emailed links.");

    /// <summary>An absolute link to <paramref name="path"/> (relative to the root) with the query values that are not null.</summary>
    public string To(string path, IReadOnlyDictionary<string, object?>? query = null)
    {
        var url = new Uri(BaseUrl, path.TrimStart('/')).AbsoluteUri;
        return query is null
            ? url
            : QueryHelpers.AddQueryString(url, query.Where(q => q.Value is not null)
                .Select(q => new KeyValuePair<string, string?>(q.Key, Convert.ToString(q.Value, CultureInfo.InvariantCulture))));
    }

    public string Application(string workspaceId, string applicationId) =>
        To($"workspaces/{Uri.EscapeDataString(workspaceId)}/applications/{Uri.EscapeDataString(applicationId)}");
}
