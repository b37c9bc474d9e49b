using Microsoft.AspNetCore.Components;
using Portal.Hosting;

namespace Portal.Features.Accounts;

/// <summary>
/// Absolute links for emails. With <c>Portal:PublicUrl</c> set they never depend on the request's Host header,
/// so a forged header cannot send a reset token to another site.
/// </summary>
internal sealed class AccountLinks(NavigationManager navigation, PortalOptions options)
{
    public string To(string path, IReadOnlyDictionary<string, object?> query)
    {
        var baseUri = options.PublicUrl is { } url ? new Uri(url, "/") : new Uri(navigation.BaseUri);
        return navigation.GetUriWithQueryParameters(new Uri(baseUri, path).AbsoluteUri, query);
    }
}
