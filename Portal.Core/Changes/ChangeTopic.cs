namespace Portal.Core.Changes;

/// <summary>
/// What changed, as <see cref="ChangeChannel"/> carries it; each message names one topic and one id. A new kind of
/// "something changed, refresh" notification (the notification center's next) is a new member here and a tag in
/// <see cref="ChangeChannel"/>, never a new channel.
/// </summary>
public enum ChangeTopic
{
    /// <summary>An application's status or provisioning run changed; the id is the application's. Pages reload it, proxies drop it.</summary>
    Application,

    /// <summary>The rollup added usage of an application; the id is the application's. Metrics and usage pages reload.</summary>
    Usage,

    /// <summary>A key was revoked or its expiry moved; the id is its SHA-256 hash in hex. Proxies drop it.</summary>
    ProxyKey,

    /// <summary>What a workspace's plan means for its members changed; the id is the workspace's. Cached caller plans are dropped.</summary>
    Plan,
}
