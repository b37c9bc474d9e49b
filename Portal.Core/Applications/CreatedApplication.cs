using Portal.Core.ApiKeys;

namespace Portal.Core.Applications;

/// <summary>A new application and its first key pair; the secret key's value is shown this once.</summary>
public sealed record CreatedApplication(Application Application, CreatedApiKey PublicKey, CreatedApiKey SecretKey);
