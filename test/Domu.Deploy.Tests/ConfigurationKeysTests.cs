namespace Domu.Deploy.Tests;

/// <summary>The reflection that the compose checks rely on finds the option classes in use.</summary>
public sealed class ConfigurationKeysTests
{
    [Theory]
    [InlineData("Urls")]
    [InlineData("GROQ_API_KEY")]
    [InlineData("Orleans:Mode")]
    [InlineData("Orleans:SiloPort")]
    [InlineData("orleans:gatewayport")]
    [InlineData("Window:Duration")]
    [InlineData("Ingest:MaxBodyBytes")]
    [InlineData("Simulator:Enabled")]
    [InlineData("Simulator:Groq:ApiKey")]
    [InlineData("Simulator:Groq:TickBudget")]
    public void Discovery_finds_keys_of_the_existing_option_classes(string key) =>
        Assert.Contains(key, ConfigurationKeys.All.Keys, StringComparer.OrdinalIgnoreCase);

    [Theory]
    [InlineData("Simulator:Groq")] // a sub-section, not a value
    [InlineData("Orleans")]
    [InlineData("Orleans:Section")]
    [InlineData("Window:Nonsense")]
    public void Discovery_lists_no_sections_constants_or_inventions(string key) =>
        Assert.DoesNotContain(key, ConfigurationKeys.All.Keys, StringComparer.OrdinalIgnoreCase);

    [Theory]
    [InlineData("Orleans__SiloPort", "Orleans:SiloPort")]
    [InlineData("Simulator__Groq__ApiKey", "Simulator:Groq:ApiKey")]
    [InlineData("GROQ_API_KEY", "GROQ_API_KEY")]
    public void Environment_names_map_to_keys(string name, string key) =>
        Assert.Equal(key, ConfigurationKeys.FromEnvironmentName(name));

    [Theory]
    [InlineData("Orleans:Mode", "Client", true)]
    [InlineData("Orleans:Mode", "client", true)]
    [InlineData("Orleans:Mode", "Cliente", false)]
    [InlineData("Orleans:Mode", "1", false)]
    [InlineData("Orleans:SiloPort", "11111", true)]
    [InlineData("Orleans:SiloPort", "silo", false)]
    [InlineData("Window:Duration", "00:05:00", true)]
    [InlineData("Window:Duration", "five minutes", false)]
    [InlineData("Simulator:Enabled", "false", true)]
    [InlineData("Simulator:Enabled", "no", false)]
    [InlineData("Simulator:SyntheticSeed", "42", true)]
    public void Values_are_checked_against_the_bound_type(string key, string value, bool binds) =>
        Assert.Equal(binds, ConfigurationKeys.CanBind(ConfigurationKeys.All[key], value));
}
