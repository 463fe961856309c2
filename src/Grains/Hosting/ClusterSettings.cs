using System.ComponentModel.DataAnnotations;

namespace Domu.Hosting;

/// <summary>How the Api reaches grains.</summary>
public enum OrleansMode
{
    /// <summary>Co-host a silo in the Api process.</summary>
    Embedded,

    /// <summary>Join a running cluster as an Orleans client.</summary>
    Client,
}

/// <summary>How silos and clients find each other.</summary>
public enum ClusteringKind
{
    /// <summary>One silo on this machine, reached on 127.0.0.1.</summary>
    Localhost,
}

/// <summary>Cluster identity and endpoints (configuration section <c>Orleans</c>).</summary>
public sealed class ClusterSettings
{
    public const string Section = "Orleans";

    public OrleansMode Mode { get; set; } = OrleansMode.Embedded;

    public ClusteringKind Clustering { get; set; } = ClusteringKind.Localhost;

    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Use 1-64 letters, digits, '.', '_' or '-'.")]
    public string ClusterId { get; set; } = "domu";

    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Use 1-64 letters, digits, '.', '_' or '-'.")]
    public string ServiceId { get; set; } = "domu";

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;
}
