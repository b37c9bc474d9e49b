namespace Portal.Core.ApiKeys;

/// <summary>A usable key found by its value: the key, and the application it opens.</summary>
public sealed record UsableApiKey(string KeyId, string ApplicationId, ApiKeyType Type, IReadOnlyList<string> Scopes);
