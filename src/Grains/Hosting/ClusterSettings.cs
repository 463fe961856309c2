using System.ComponentModel.DataAnnotations;
using System.Net;

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
    /// <summary>One silo on this machine, reached on 127.0.0.1; reminders and state in memory.</summary>
    Localhost,

    /// <summary>Any number of silos and clients that meet in Redis, which also holds reminders and the simulator's state.</summary>
    Redis,
}

/// <summary>Cluster identity and endpoints (configuration section <c>Orleans</c>).</summary>
public sealed class ClusterSettings : IValidatableObject
{
    public const string Section = "Orleans";

    public OrleansMode Mode { get; set; } = OrleansMode.Embedded;

    public ClusteringKind Clustering { get; set; } = ClusteringKind.Localhost;

    /// <summary>StackExchange.Redis connection string for membership, reminders and grain state.</summary>
    public string Redis { get; set; } = "127.0.0.1:6379";

    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Use 1-64 letters, digits, '.', '_' or '-'.")]
    public string ClusterId { get; set; } = "domu";

    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Use 1-64 letters, digits, '.', '_' or '-'.")]
    public string ServiceId { get; set; } = "domu";

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address other silos and clients use to reach this silo (an IP address or a host name
    /// resolved at start-up). Unset: the address of this machine's host name (Redis clustering) or
    /// 127.0.0.1 (Localhost clustering).
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Clustering == ClusteringKind.Redis)
        {
            if (string.IsNullOrWhiteSpace(Redis))
            {
                yield return new ValidationResult("Orleans:Redis is required when Orleans:Clustering is Redis.", [nameof(Redis)]);
            }
            else
            {
                string? problem = null;
                try
                {
                    _ = StackExchange.Redis.ConfigurationOptions.Parse(Redis);
                }
                catch (ArgumentException ex)
                {
                    problem = ex.Message;
                }
                if (problem is not null)
                {
                    yield return new ValidationResult($"Orleans:Redis is not a Redis connection string: {problem}", [nameof(Redis)]);
                }
            }
        }
        if (SiloPort == GatewayPort)
        {
            yield return new ValidationResult("Orleans:SiloPort and Orleans:GatewayPort must differ.", [nameof(GatewayPort)]);
        }
        if (AdvertisedAddress is { } address && !IPAddress.TryParse(address, out _) && Uri.CheckHostName(address) != UriHostNameType.Dns)
        {
            yield return new ValidationResult($"Orleans:AdvertisedAddress '{address}' is neither an IP address nor a host name.", [nameof(AdvertisedAddress)]);
        }
    }

    /// <summary>The address to advertise, resolving a host name once at start-up.</summary>
    public IPAddress ResolveAdvertisedAddress()
    {
        if (string.IsNullOrWhiteSpace(AdvertisedAddress))
        {
            return Clustering == ClusteringKind.Localhost ? IPAddress.Loopback : Resolve(Dns.GetHostName());
        }
        return IPAddress.TryParse(AdvertisedAddress, out var ip) ? ip : Resolve(AdvertisedAddress);
    }

    private static IPAddress Resolve(string host)
    {
        var addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException($"Orleans:AdvertisedAddress: '{host}' resolves to no address.");
    }
}

/// <summary>The Orleans dashboard (configuration section <c>Dashboard</c>).</summary>
public sealed class DashboardSettings : IValidatableObject
{
    public const string Section = "Dashboard";

    public bool Enabled { get; set; } = true;

    [Required, RegularExpression("^/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$", ErrorMessage = "Use a path such as /dashboard.")]
    public string Path { get; set; } = "/dashboard";

    /// <summary>With <see cref="Password"/>: basic authentication. Without both: loopback clients only.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    public bool RequiresLogin => !string.IsNullOrEmpty(Username);

    /// <summary>The first path segments of Domu's own endpoints, which the dashboard must not shadow.</summary>
    public static readonly IReadOnlySet<string> ReservedSegments =
        new HashSet<string>(["ingest", "report", "metrics", "cluster", "simulator", "health"], StringComparer.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Set both Dashboard:Username and Dashboard:Password, or neither.", [nameof(Password)]);
        }
        // Routing ignores case, so /Metrics would shadow /metrics as much as /metrics would.
        var first = Path?.TrimStart('/').Split('/')[0];
        if (first is not null && ReservedSegments.Contains(first))
        {
            yield return new ValidationResult(
                $"Dashboard:Path '{Path}' would shadow Domu's own /{first.ToLowerInvariant()} endpoints; choose another, such as /dashboard.", [nameof(Path)]);
        }
        if (Username?.Contains(':', StringComparison.Ordinal) == true)
        {
            yield return new ValidationResult("Dashboard:Username cannot contain ':' (basic authentication separates the password with it).", [nameof(Username)]);
        }
    }
}
