namespace Portal.Core.Audit;

/// <summary>
/// Who does something, and from where: recorded on every audit event. <paramref name="Type"/> is one of
/// <see cref="ActorTypes"/>; <paramref name="UserId"/> is the acting user (also for API tokens, which act for one).
/// </summary>
public sealed record Actor(
    string Type,
    string? UserId,
    string? Name,
    string? TokenId = null,
    string? IpAddress = null,
    string? UserAgent = null,
    string? RequestId = null)
{
    public static readonly Actor System = new(ActorTypes.System, null, "system");

    public static Actor User(string userId, string? name, ClientInfo? client = null) =>
        new(ActorTypes.User, userId, name, null, client?.IpAddress, client?.UserAgent, client?.RequestId);

    public static Actor Token(string userId, string? name, string tokenId, ClientInfo? client = null) =>
        new(ActorTypes.Token, userId, name, tokenId, client?.IpAddress, client?.UserAgent, client?.RequestId);

    /// <summary>The id shown as the actor: the token for API tokens, else the user.</summary>
    public string? Id => Type == ActorTypes.Token ? TokenId : UserId;
}
