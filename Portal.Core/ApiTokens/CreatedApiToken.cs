namespace Portal.Core.ApiTokens;

/// <summary>A token just made, with its secret: the only time the secret exists outside the caller's hands.</summary>
public sealed record CreatedApiToken(ApiToken Token, string Secret);
