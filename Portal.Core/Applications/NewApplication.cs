namespace Portal.Core.Applications;

/// <summary>What a caller asks for when creating an application; the slug defaults to one made from the name.</summary>
public sealed record NewApplication(string? Name, string? Slug, ApplicationEnvironment? Environment, string? Region, string? Configuration = null);
