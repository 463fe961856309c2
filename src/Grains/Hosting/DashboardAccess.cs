using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Orleans.Dashboard;

namespace Domu.Hosting;

/// <summary>
/// Guards the Orleans dashboard, which has no authentication of its own, with ASP.NET Core's
/// authentication and authorization: basic authentication when Dashboard:Username and
/// Dashboard:Password are set, otherwise loopback clients only (403 for anyone else).
/// </summary>
public static class DashboardAccess
{
    public const string Scheme = "DomuDashboardBasic";
    public const string Policy = "DomuDashboard";

    internal static IServiceCollection AddDashboardAccess(this IServiceCollection services, DashboardSettings settings)
    {
        services.AddValidatedOptions<DashboardSettings>(DashboardSettings.Section);
        if (!settings.Enabled)
        {
            return services;
        }
        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(Scheme, _ => { });
        services.AddSingleton<IAuthorizationHandler, LoopbackOnlyHandler>();
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy =>
        {
            policy.AddAuthenticationSchemes(Scheme);
            if (settings.RequiresLogin)
            {
                policy.RequireAuthenticatedUser();
            }
            else
            {
                policy.AddRequirements(new LoopbackOnlyRequirement());
            }
        });
        return services;
    }

    /// <summary>Maps the dashboard at Dashboard:Path behind the access policy, when it is enabled.</summary>
    public static IEndpointRouteBuilder MapDomuDashboard(this IEndpointRouteBuilder endpoints)
    {
        // Only a host with a silo serves the dashboard; an Api in client mode has none.
        var settings = endpoints.ServiceProvider.GetRequiredService<IConfiguration>().ReadValidated<DashboardSettings>(DashboardSettings.Section);
        if (settings.Enabled && endpoints.ServiceProvider.GetService<ILocalSiloDetails>() is not null)
        {
            endpoints.MapOrleansDashboard(settings.Path).RequireAuthorization(Policy).AddEndpointFilter(new DashboardSiloFilter());
        }
        return endpoints;
    }

    internal sealed class LoopbackOnlyRequirement : IAuthorizationRequirement;

    private sealed class LoopbackOnlyHandler : AuthorizationHandler<LoopbackOnlyRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, LoopbackOnlyRequirement requirement)
        {
            if (context.Resource is HttpContext http && http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote))
            {
                context.Succeed(requirement);
            }
            return Task.CompletedTask;
        }
    }

    private sealed class BasicAuthenticationHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        IOptions<DashboardSettings> settings) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var expected = settings.Value;
            if (!expected.RequiresLogin)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }
            string? header = Request.Headers.Authorization;
            if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            }
            catch (FormatException)
            {
                return Task.FromResult(AuthenticateResult.Fail("The Basic credentials are not valid base64."));
            }
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || !Same(decoded[..colon], expected.Username!) || !Same(decoded[(colon + 1)..], expected.Password!))
            {
                return Task.FromResult(AuthenticateResult.Fail("Wrong dashboard username or password."));
            }
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, expected.Username!)], DashboardAccess.Scheme);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), DashboardAccess.Scheme)));
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            if (!settings.Value.RequiresLogin)
            {
                // Loopback only: no login would help a remote client.
                Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            }
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers[HeaderNames.WWWAuthenticate] = "Basic realm=\"Orleans dashboard\", charset=\"UTF-8\"";
            return Task.CompletedTask;
        }

        private static bool Same(string given, string expected) =>
            CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }
}
