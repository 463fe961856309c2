using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Domu.Hosting;

/// <summary>Turns a bad setting into one readable line instead of a crash with a stack trace.</summary>
public static partial class ConfigurationErrors
{
    public static bool TryDescribe(Exception exception, [NotNullWhen(true)] out string? message)
    {
        var failures = new List<string>();
        Collect(exception, failures);
        message = failures.Count == 0 ? null : "Invalid configuration: " + string.Join(" ", failures);
        return message is not null;
    }

    /// <summary>"'Consul' at 'Orleans:Clustering'": for an enum, the values it may take instead of its type's name.</summary>
    private static string Describe(string value, string key, string typeName)
    {
        var type = AppDomain.CurrentDomain.GetAssemblies()
            .Select(assembly => assembly.GetType(typeName, throwOnError: false))
            .FirstOrDefault(t => t is not null);
        return type is { IsEnum: true }
            ? $"{key}: '{value}' is not one of {string.Join(", ", Enum.GetNames(type))}."
            : $"{key}: '{value}' is not a valid {FriendlyName(type?.Name ?? typeName)}.";
    }

    private static string FriendlyName(string name) => name switch
    {
        "Int32" or "Int64" => "whole number",
        "Double" or "Decimal" => "number",
        "Boolean" => "true or false",
        "TimeSpan" => "time span (such as 00:05:00)",
        "Nullable`1" => "value",
        _ => name,
    };

    [System.Text.RegularExpressions.GeneratedRegex("^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'")]
    private static partial System.Text.RegularExpressions.Regex BindingFailure();

    private static void Collect(Exception exception, List<string> failures)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                failures.AddRange(validation.Failures);
                break;
            case AggregateException aggregate:
                foreach (var inner in aggregate.InnerExceptions)
                {
                    Collect(inner, failures);
                }
                break;
            case IOException io when io.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException:
                failures.Add(io.Message + " Choose another address with Urls (for example --Urls=http://localhost:8099).");
                break;
            case InvalidOperationException binding when BindingFailure().Match(binding.Message) is { Success: true } match:
                failures.Add(Describe(match.Groups["value"].Value, match.Groups["key"].Value, match.Groups["type"].Value));
                break;
            case StackExchange.Redis.RedisConnectionException redis:
                // The innermost error names the endpoint: "UnableToConnect on 127.0.0.1:6390/Interactive, ...".
                while (redis.InnerException is StackExchange.Redis.RedisConnectionException inner)
                {
                    redis = inner;
                }
                failures.Add($"Orleans:Redis: the silo cannot start without Redis ({redis.Message.Split(',', 2)[0].Trim()}). Start Redis, or correct Orleans:Redis.");
                break;
            case { InnerException: { } inner }:
                // Orleans wraps a failed start-up stage (OrleansLifecycleCanceledException).
                Collect(inner, failures);
                break;
        }
    }
}
