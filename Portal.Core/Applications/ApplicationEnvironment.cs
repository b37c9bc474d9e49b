namespace Portal.Core.Applications;

public enum ApplicationEnvironment
{
    Production,
    Staging,
    Development,
}
