using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Domu.Hosting;

/// <summary>Options bound from one configuration section and checked at start-up; failures name the key.</summary>
public static class ValidatedOptions
{
    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/> and validates it when the host starts.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class
    {
        // Hosts share setup (the Api's embedded silo and its own services both need ingest options):
        // registering the same options twice binds and validates them once.
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<T>) && d.ImplementationInstance is SectionValidator<T>))
        {
            return services.AddOptions<T>();
        }
        services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>Binds and validates now, for settings needed while the host is being built.</summary>
    public static T ReadValidated<T>(this IConfiguration configuration, string section)
        where T : class, new()
    {
        var value = configuration.GetSection(section).Get<T>() ?? new T();
        var failures = Validate(value, section);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(section, typeof(T), failures);
        }
        return value;
    }

    internal static List<string> Validate(object value, string section)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
        var failures = results
            .Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}")
            .ToList();

        // Nested option classes (Simulator:Groq) are sections of their own.
        foreach (var property in value.GetType().GetProperties())
        {
            if (property.PropertyType.IsClass && property.PropertyType != typeof(string)
                && property.PropertyType.Namespace?.StartsWith("Domu", StringComparison.Ordinal) == true
                && property.GetValue(value) is { } nested)
            {
                failures.AddRange(Validate(nested, $"{section}:{property.Name}"));
            }
        }
        return failures;
    }

    private sealed class SectionValidator<T>(string section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var failures = ValidatedOptions.Validate(options, section);
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
