namespace Portal.Core.ApiTokens;

public enum ApiTokenKind
{
    /// <summary>Issued by <c>POST /control/v1/auth/login</c>: short-lived, every scope.</summary>
    Session,

    /// <summary>Made by the user on the account page for automation: named, scoped, with an optional expiry.</summary>
    Personal,
}
