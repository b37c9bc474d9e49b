namespace Portal.Core.Audit;

public static class ActorTypes
{
    public const string User = "user";
    public const string Token = "token";
    public const string System = "system";
}
