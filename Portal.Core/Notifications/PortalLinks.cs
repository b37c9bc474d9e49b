using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Notifications;

/// <summary>
/// Absolute links to portal pages for emails sent by background jobs, which have no request to take an address from:
/// <c>Portal:PublicUrl</c>, else the address this process listens on, else http://localhost/.
/// </summary>
public sealed class PortalLinks(IConfiguration configuration, IServiceProvider services)
{
    public Uri BaseUrl
    {
        get
        {
            if (Uri.TryCreate(configuration["Portal:PublicUrl"], UriKind.Absolute, out var configured))
            {
                return new Uri(configured, "/");
            }

            var listening = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            return listening is not null && Uri.TryCreate(listening.Replace("://+", "://localhost", StringComparison.Ordinal)
                    .Replace("://*", "://localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)
                    .Replace("[::]", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var address)
                ? new Uri(address, "/")
                : new Uri("http://localhost/");
        }
    }

    public string Application(string workspaceId, string applicationId) =>
        new Uri(BaseUrl, $"workspaces/{Uri.EscapeDataString(workspaceId)}/applications/{Uri.EscapeDataString(applicationId)}").AbsoluteUri;
}
