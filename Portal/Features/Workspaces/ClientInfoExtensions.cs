using System.Security.Claims;
using Portal.Core.Accounts;
using Portal.Core.Audit;

namespace Portal.Features.Workspaces;

public static class ClientInfoExtensions
{
    public static ClientInfo GetClientInfo(this HttpContext http) =>
        ClientInfo.Create(http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString(), http.TraceIdentifier);

    /// <summary>The signed-in user as an audit actor; null when nobody is signed in.</summary>
    public static Actor? ToActor(this ClaimsPrincipal user, ClientInfo? client)
    {
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId)
        {
            return null;
        }

        var name = user.FindFirstValue(ClaimTypes.Email) ?? user.FindFirstValue(ClaimTypes.Name) ?? user.FindFirstValue(PortalClaimTypes.DisplayName);
        return Actor.User(userId, name, client);
    }
}
