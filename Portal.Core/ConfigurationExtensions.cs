using Microsoft.Extensions.Configuration;

namespace Portal.Core;

public static class ConfigurationExtensions
{
    /// <summary>Reads a connection string, stopping start-up with a message that names the missing setting.</summary>
    public static string GetRequiredConnectionString(this IConfiguration configuration, string name)
    {
        var value = configuration.GetConnectionString(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"Missing setting 'ConnectionStrings:{name}' (environment variable ConnectionStrings__{name}).");
        }

        return value;
    }
}
