namespace Portal.Core.Proxy;

public enum ProxyInvalidationKind
{
    Key,
    Application,
}
