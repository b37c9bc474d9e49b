namespace Portal.Core.Accounts;

/// <summary>The reasons recorded on a failed sign-in; never the password or code that was tried.</summary>
public static class SignInFailureReasons
{
    public const string UnknownEmail = "unknown_email";
    public const string BadPassword = "bad_password";
    public const string BadCode = "bad_code";
    public const string LockedOut = "locked_out";
    public const string NotAllowed = "not_allowed";
    public const string Suspended = "suspended";
}
