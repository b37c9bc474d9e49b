namespace Portal.Core.ApiKeys;

public enum ApiKeyType
{
    /// <summary><c>pk_</c>: may sit in browsers and apps; reaches only the routes marked public.</summary>
    Public,

    /// <summary><c>sk_</c>: for servers; shown once, stored only as a hash.</summary>
    Secret,
}
