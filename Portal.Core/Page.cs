namespace Portal.Core;

/// <summary>One page of a list, as the control API answers it: <c>{data, total, page, pageSize}</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Data, int Total, int PageNumber, int PageSize)
{
    public const int MaxPageSize = 100;
}
