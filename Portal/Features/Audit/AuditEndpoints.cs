using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Features.Workspaces;

namespace Portal.Features.Audit;

/// <summary>
/// Exports of a workspace's activity as CSV or JSON, with the filters of the activity page. Rows go from the database
/// to the response as they are read, so an export of any size needs the memory of a few rows, not of the whole log.
/// </summary>
public static class AuditEndpoints
{
    /// <summary>Rows written between flushes, so that the client sees the download progress.</summary>
    private const int FlushEvery = 500;

    private static readonly string[] CsvHeader =
        ["id", "occurred_at", "actor_type", "actor_id", "actor_name", "action", "target_type", "target_id", "changes", "ip_address", "user_agent", "request_id"];

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var activity = endpoints.MapGroup($"/workspaces/{{{WorkspacePolicies.RouteValue}}}/activity")
            .RequireAuthorization(WorkspacePolicies.View);
        activity.MapGet("/export.csv", (HttpContext http, string workspaceId, AuditQueries queries, TimeProvider clock) =>
                ExportAsync(http, workspaceId, queries, clock, "csv", "text/csv; charset=utf-8", WriteCsvAsync))
            .WithName("ExportActivityCsv");
        activity.MapGet("/export.json", (HttpContext http, string workspaceId, AuditQueries queries, TimeProvider clock) =>
                ExportAsync(http, workspaceId, queries, clock, "json", "application/json; charset=utf-8", WriteJsonAsync))
            .WithName("ExportActivityJson");
        return endpoints;
    }

    private static async Task<IResult> ExportAsync(
        HttpContext http, string workspaceId, AuditQueries queries, TimeProvider clock, string extension, string contentType,
        Func<IAsyncEnumerable<AuditEvent>, Stream, CancellationToken, Task> write)
    {
        var filter = AuditFilterQuery.Parse(http.Request.Query);
        if (!filter.Succeeded)
        {
            return Error(filter.Failure);
        }

        var userId = http.User.FindFirstValue(ClaimTypes.NameIdentifier);
        if (await queries.CheckAccessAsync(userId, workspaceId, http.RequestAborted) is { } refused)
        {
            return Error(refused);
        }

        var fileName = string.Create(CultureInfo.InvariantCulture, $"activity-{workspaceId}-{clock.GetUtcNow():yyyyMMdd-HHmmss}.{extension}");
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Stream(
            body => write(queries.StreamAsync(userId, workspaceId, filter.Value, http.RequestAborted), body, http.RequestAborted),
            contentType, fileName);
    }

    private static JsonHttpResult<ErrorEnvelope> Error(Failure failure)
    {
        var status = failure.Code switch
        {
            FailureCode.NotFound => StatusCodes.Status404NotFound,
            FailureCode.Forbidden => StatusCodes.Status403Forbidden,
            FailureCode.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };
        var code = failure.Code switch
        {
            FailureCode.NotFound => "not_found",
            FailureCode.Forbidden => "forbidden",
            FailureCode.Conflict => "conflict",
            _ => "invalid_request",
        };
        return TypedResults.Json(new ErrorEnvelope(new ErrorDetail(code, failure.Message, failure.Field)), statusCode: status);
    }

    private static async Task WriteCsvAsync(IAsyncEnumerable<AuditEvent> events, Stream body, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 32 * 1024);
        await writer.WriteAsync(string.Join(',', CsvHeader) + "\r\n");
        var rows = 0;
        await foreach (var e in events)
        {
            await writer.WriteAsync(CsvCells.Row(
                e.Id.ToString(CultureInfo.InvariantCulture),
                e.OccurredAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                e.ActorType,
                e.ActorId,
                e.ActorName,
                e.Action,
                e.TargetType,
                e.TargetId,
                e.Changes,
                e.IpAddress,
                e.UserAgent,
                e.RequestId));
            if (++rows % FlushEvery == 0)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }

        await writer.FlushAsync(cancellationToken);
    }

    private static async Task WriteJsonAsync(IAsyncEnumerable<AuditEvent> events, Stream body, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(body);
        json.WriteStartArray();
        var rows = 0;
        await foreach (var e in events)
        {
            json.WriteStartObject();
            json.WriteNumber("id", e.Id);
            json.WriteString("occurredAt", e.OccurredAt.ToUniversalTime());
            json.WriteString("workspaceId", e.WorkspaceId);
            json.WriteStartObject("actor");
            json.WriteString("type", e.ActorType);
            json.WriteString("id", e.ActorId);
            json.WriteString("name", e.ActorName);
            json.WriteEndObject();
            json.WriteString("action", e.Action);
            json.WriteStartObject("target");
            json.WriteString("type", e.TargetType);
            json.WriteString("id", e.TargetId);
            json.WriteEndObject();
            json.WritePropertyName("changes");
            if (e.Changes is null)
            {
                json.WriteNullValue();
            }
            else
            {
                // Stored as jsonb, so it is valid JSON: written as the object it is, not as a string.
                json.WriteRawValue(e.Changes, skipInputValidation: false);
            }

            json.WriteString("ipAddress", e.IpAddress);
            json.WriteString("userAgent", e.UserAgent);
            json.WriteString("requestId", e.RequestId);
            json.WriteEndObject();
            if (++rows % FlushEvery == 0 || json.BytesPending > 32 * 1024)
            {
                await json.FlushAsync(cancellationToken);
            }
        }

        json.WriteEndArray();
        await json.FlushAsync(cancellationToken);
    }

    private sealed record ErrorEnvelope(ErrorDetail Error);

    private sealed record ErrorDetail(string Code, string Message, string? Field);
}
