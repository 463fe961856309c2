using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Domu.Hosting;

/// <summary>Turns a bad setting into one readable line instead of a crash with a stack trace.</summary>
public static class ConfigurationErrors
{
    public static bool TryDescribe(Exception exception, [NotNullWhen(true)] out string? message)
    {
        var failures = new List<string>();
        Collect(exception, failures);
        message = failures.Count == 0 ? null : "Invalid configuration: " + string.Join(" ", failures);
        return message is not null;
    }

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
                failures.Add(io.Message + " Choose another address with Urls (for example --Urls=http://localhost:8090).");
                break;
            case InvalidOperationException binding when binding.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal):
                failures.Add(binding.Message);
                break;
        }
    }
}
