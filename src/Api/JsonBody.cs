using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Domu.Api;

/// <summary>A request body read whole into a pooled buffer, refused early when it is not JSON or too large.</summary>
internal sealed class JsonBody : IDisposable
{
    private byte[]? _buffer;

    private readonly int _start;

    private JsonBody(byte[] buffer, int start, int length)
    {
        _buffer = buffer;
        _start = start;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(_start, Length);

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads the body, or returns the 415 or 413 problem that refuses it.</summary>
    public static async Task<(JsonBody? Body, ProblemHttpResult? Problem)> ReadAsync(
        HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            var got = string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"'{request.ContentType}'";
            return (null, TypedResults.Problem(
                $"Send the event as application/json (UTF-8); got {got}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type"));
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes, request.ContentLength.Value.ToString(CultureInfo.InvariantCulture) + " bytes"));
        }

        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        var length = 0;
        try
        {
            int read;
            while (length <= maxBytes
                && (read = await request.Body.ReadAsync(buffer.AsMemory(length, maxBytes + 1 - length), cancellationToken)) > 0)
            {
                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        if (length > maxBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, TooLarge(maxBytes, "more than that"));
        }

        // RFC 8259 lets a parser ignore a UTF-8 byte order mark; some Windows clients send one.
        var start = buffer.AsSpan(0, length).StartsWith("\uFEFF"u8) ? 3 : 0;
        return (new JsonBody(buffer, start, length - start), null);
    }

    private static ProblemHttpResult TooLarge(int maxBytes, string actual) => TypedResults.Problem(
        string.Create(CultureInfo.InvariantCulture, $"The body may be at most {maxBytes} bytes (Ingest:MaxBodyBytes); it was {actual}."),
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Payload too large");

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }
        var type = media.MediaType;
        var isJson = type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
        if (!isJson || !media.Charset.HasValue)
        {
            return isJson;
        }
        var charset = HeaderUtilities.RemoveQuotes(media.Charset);
        return charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }
}
