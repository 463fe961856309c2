using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace Domu.Deploy.Tests;

/// <summary>
/// The configuration keys Domu reads, found by reflection: every public type of a Domu assembly with a
/// <c>public const string Section</c> contributes <c>Section:Property</c> for each public settable
/// property, recursing into properties whose type is a Domu class (<c>Simulator:Groq:Model</c>).
/// <c>Urls</c> (ASP.NET Core) and <c>GROQ_API_KEY</c> (read by name) are added by hand.
/// </summary>
public static class ConfigurationKeys
{
    public static readonly string[] AssemblyNames = ["Domu.Api", "Domu.Grains", "Domu.Grains.Interfaces", "Domu.Simulator"];

    /// <summary>Key (case-insensitive, as configuration is) to the type it binds to.</summary>
    public static IReadOnlyDictionary<string, Type> All { get; } = Discover();

    /// <summary>The configuration key an environment variable sets: <c>A__B__C</c> is <c>A:B:C</c>.</summary>
    public static string FromEnvironmentName(string name) => name.Replace("__", ":", StringComparison.Ordinal);

    /// <summary>The option class bound to <paramref name="section"/>.</summary>
    public static Type SectionType(string section) =>
        SectionTypes().Single(pair => string.Equals(pair.Section, section, StringComparison.OrdinalIgnoreCase)).Type;

    /// <summary>Whether the configuration binder could turn <paramref name="value"/> into <paramref name="type"/>.</summary>
    public static bool CanBind(Type type, string value)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string))
        {
            return true;
        }
        if (target.IsEnum)
        {
            // The binder accepts names case-insensitively; a bare number would bind too, but is no name.
            return !value.Trim().All(c => char.IsAsciiDigit(c) || c == '-')
                && Enum.TryParse(target, value, ignoreCase: true, out _);
        }
        try
        {
            return TypeDescriptor.GetConverter(target).ConvertFromString(null, CultureInfo.InvariantCulture, value) is not null;
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException || ex.InnerException is FormatException)
        {
            return false;
        }
    }

    private static IEnumerable<Assembly> DomuAssemblies() =>
        AssemblyNames.Select(name => Assembly.Load(new AssemblyName(name)));

    private static IEnumerable<(string Section, Type Type)> SectionTypes() =>
        from assembly in DomuAssemblies()
        from type in assembly.GetExportedTypes()
        let field = type.GetField("Section", BindingFlags.Public | BindingFlags.Static)
        where field is { IsLiteral: true } && field.FieldType == typeof(string)
        select ((string)field.GetRawConstantValue()!, type);

    private static Dictionary<string, Type> Discover()
    {
        var keys = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
        {
            ["Urls"] = typeof(string),
            ["GROQ_API_KEY"] = typeof(string),
        };
        foreach (var (section, type) in SectionTypes())
        {
            AddProperties(keys, section, type, [type]);
        }
        return keys;
    }

    private static void AddProperties(Dictionary<string, Type> keys, string prefix, Type type, HashSet<Type> path)
    {
        var domu = AssemblyNames.ToHashSet(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length != 0)
            {
                continue;
            }
            var key = $"{prefix}:{property.Name}";
            var propertyType = property.PropertyType;
            if (propertyType.IsClass && propertyType != typeof(string) && domu.Contains(propertyType.Assembly.GetName().Name!) && path.Add(propertyType))
            {
                AddProperties(keys, key, propertyType, path);
                path.Remove(propertyType);
            }
            else
            {
                keys[key] = propertyType;
            }
        }
    }
}
