using Domu.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Domu.UnitTests;

public sealed class OptionsValidationTests
{
    private static string Failure(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var ex = Assert.Throws<OptionsValidationException>(() => configuration.ReadValidated<Domu.Simulator.SimulatorOptions>("Simulator"));
        Assert.True(ConfigurationErrors.TryDescribe(ex, out var message));
        return message;
    }

    [Theory]
    [InlineData("Simulator:EventsPerTick", "0", "Simulator:EventsPerTick:")]
    [InlineData("Simulator:Groq:Endpoint", "ftp://127.0.0.1/v1", "Simulator:Groq:Endpoint: Use an absolute http or https URL")]
    [InlineData("Simulator:Groq:Endpoint", "notaurl", "Simulator:Groq:Endpoint:")]
    [InlineData("Simulator:Groq:TickBudget", "00:01:00", "Simulator:Groq:TickBudget:")]
    [InlineData("Simulator:Groq:MaxAttempts", "0", "Simulator:Groq:MaxAttempts:")]
    [InlineData("Simulator:Groq:Model", "", "Simulator:Groq:Model:")]
    [InlineData("Simulator:Groq:RequestTimeout", "00:00:24", "Simulator:Groq:RequestTimeout: RequestTimeout may not be longer than TickBudget")]
    public void A_bad_simulator_setting_is_named_by_its_key(string key, string value, string expected) =>
        Assert.StartsWith("Invalid configuration: " + expected, Failure(key, value), StringComparison.Ordinal);

    [Fact]
    public void The_defaults_are_valid()
    {
        var configuration = new ConfigurationBuilder().Build();

        var options = configuration.ReadValidated<Domu.Simulator.SimulatorOptions>("Simulator");

        Assert.Equal(TimeSpan.FromSeconds(20), options.Groq.TickBudget);
    }
}
