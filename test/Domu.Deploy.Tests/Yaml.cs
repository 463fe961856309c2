using YamlDotNet.RepresentationModel;

namespace Domu.Deploy.Tests;

/// <summary>Small accessors over YamlDotNet's representation model.</summary>
public static class Yaml
{
    public static YamlMappingNode Load(string relativePath)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(Repo.Read(relativePath));
        stream.Load(reader);
        return Assert.IsType<YamlMappingNode>(stream.Documents.Single().RootNode);
    }

    public static YamlNode? Child(this YamlNode node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static YamlMappingNode? Mapping(this YamlNode node, string key) => node.Child(key) as YamlMappingNode;

    public static IEnumerable<YamlNode> Items(this YamlNode node, string key) =>
        node.Child(key) is YamlSequenceNode sequence ? sequence.Children : [];

    public static string? Scalar(this YamlNode node, string key) => (node.Child(key) as YamlScalarNode)?.Value;

    public static string? Scalar(this YamlNode node) => (node as YamlScalarNode)?.Value;

    /// <summary>The keys of a mapping, in document order.</summary>
    public static IEnumerable<string> Keys(this YamlMappingNode mapping) =>
        mapping.Children.Keys.Select(key => ((YamlScalarNode)key).Value!);
}
