namespace Portal.Features.ControlApi;

/// <summary>A page of a list: <c>{ "data": [...], "total", "page", "pageSize" }</c>.</summary>
public sealed record PageResponse<T>(IReadOnlyList<T> Data, int Total, int Page, int PageSize);
