namespace Portal.Core.Provisioning;

/// <summary>
/// The names of an application's tenant objects, from the random part of its id in lower case (Kubernetes and
/// unquoted PostgreSQL names allow no upper case).
/// </summary>
public static class TenantNames
{
    public static string Suffix(string applicationId) =>
        (applicationId.StartsWith("app_", StringComparison.Ordinal) ? applicationId[4..] : applicationId).ToLowerInvariant();

    public static string Namespace(string applicationId) => $"authsome-app-{Suffix(applicationId)}";

    public static string Database(string applicationId) => $"authsome_app_{Suffix(applicationId)}";

    public static string Role(string applicationId) => $"authsome_app_{Suffix(applicationId)}";

    public static string RedisUser(string applicationId) => $"app-{Suffix(applicationId)}";

    public static string RedisKeyPrefix(string applicationId) => $"app:{Suffix(applicationId)}:";
}
