using Domu.Grains;
using Domu.Ingest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Domu.Api;

/// <summary><c>POST /ingest</c>: one voice event in, validated strictly, recorded in the window.</summary>
public static class IngestApi
{
    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder endpoints)
    {
        // No .Accepts<T>() here: its routing policy would answer a wrong Content-Type with an empty
        // 415 before the handler can explain the problem.
        endpoints.MapPost("/ingest", IngestAsync).WithName("Ingest");
        endpoints.ServiceProvider.GetRequiredService<EventMetrics>().PublishRejectionReasons();
        return endpoints;
    }

    public static async Task<Results<Ok<IngestAccepted>, ValidationProblem, ProblemHttpResult>> IngestAsync(
        HttpRequest request,
        IngestValidator validator,
        IGrainFactory grains,
        EventMetrics metrics,
        IOptions<IngestOptions> options,
        CancellationToken cancellationToken)
    {
        var (body, refused) = await JsonBody.ReadAsync(request, options.Value.MaxBodyBytes, cancellationToken);
        if (refused is not null)
        {
            metrics.Rejected(refused.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? EventMetrics.Reasons.PayloadTooLarge
                : EventMetrics.Reasons.UnsupportedMediaType);
            return refused;
        }

        IngestValidation validation;
        using (body)
        {
            validation = validator.Validate(body!.Span);
        }
        if (!validation.IsValid)
        {
            metrics.Rejected(validation.Errors.ContainsKey(IngestValidator.BodyKey)
                ? EventMetrics.Reasons.MalformedBody
                : EventMetrics.Reasons.InvalidField);
            return TypedResults.ValidationProblem(validation.Errors, title: "The event is invalid.");
        }

        await grains.GetGrain<IMetricsWindowGrain>(IMetricsWindowGrain.DefaultKey).RecordAsync(validation.Event!);
        metrics.Ingested(validation.Event!);
        return TypedResults.Ok(IngestAccepted.Instance);
    }
}

/// <summary>The seed's success answer, kept for compatibility.</summary>
public sealed record IngestAccepted(string Message)
{
    public static readonly IngestAccepted Instance = new("Event ingested");
}
