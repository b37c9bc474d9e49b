namespace Portal.Core.ApiTokens;

/// <summary>What a token may do through the control API; each scope is granted on its own.</summary>
[Flags]
public enum ApiScopes
{
    None = 0,

    /// <summary>Read (GET) anything the user can see.</summary>
    Read = 1,

    /// <summary>Create and change workspaces (not their members).</summary>
    Write = 2,

    /// <summary>Manage members and invitations, transfer ownership, delete and restore workspaces.</summary>
    Admin = 4,

    All = Read | Write | Admin,
}
