using System.Reflection;
using System.Xml;
using k8s.Models;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The descriptions of the model types and their properties, from KubernetesClient's XML documentation (copied
/// next to the assembly at build time): they are the API's own field descriptions, which kubectl explain prints.
/// </summary>
internal static class ModelDocs
{
    private const string FileName = "KubernetesClient.xml";

    private static readonly Lazy<Dictionary<string, string>> Summaries = new(Load);

    public static string? Of(Type type) => Summaries.Value.GetValueOrDefault("T:" + type.FullName);

    public static string? Of(PropertyInfo property) => Summaries.Value.GetValueOrDefault($"P:{property.DeclaringType!.FullName}.{property.Name}");

    private static Dictionary<string, string> Load()
    {
        var summaries = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(V1Deployment).Assembly.Location) ?? "" }
            .Select(d => Path.Combine(d, FileName))
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            return summaries; // Schemas without descriptions still validate and patch; only explain gets terse.
        }

        // The file is large (the client's operations are documented too): stream it and keep the models only.
        using var reader = XmlReader.Create(path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, IgnoreComments = true });
        string? member = null;
        reader.MoveToContent();
        while (!reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Name == "summary" && member is not null)
            {
                // Summaries may hold <see cref="…"/> elements: their text is what is wanted.
                summaries[member] = Normalize(((System.Xml.Linq.XElement)System.Xml.Linq.XNode.ReadFrom(reader)).Value);
                member = null;
                continue;
            }

            if (reader.NodeType == XmlNodeType.Element && reader.Name == "member")
            {
                var name = reader.GetAttribute("name");
                member = name is not null && (name.StartsWith("T:k8s.Models.", StringComparison.Ordinal) || name.StartsWith("P:k8s.Models.", StringComparison.Ordinal))
                    ? name
                    : null;
            }

            reader.Read();
        }

        return summaries;
    }

    // The generator wrapped the API's descriptions at 80 columns; the lines are joined back into sentences.
    private static string Normalize(string text) =>
        string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
