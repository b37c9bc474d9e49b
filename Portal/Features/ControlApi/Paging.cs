using Portal.Core;

namespace Portal.Features.ControlApi;

/// <summary>The <c>page</c> and <c>pageSize</c> query parameters of lists: page ≥ 1, 1 ≤ pageSize ≤ 100.</summary>
internal static class Paging
{
    public const int DefaultPageSize = 20;
    private const int MaxPage = 1_000_000;

    public static PageResponse<T> ToResponse<TSource, T>(Page<TSource> page, Func<TSource, T> map) =>
        new([.. page.Data.Select(map)], page.Total, page.PageNumber, page.PageSize);

    public static ApiError? Validate(int? page, int? pageSize)
    {
        if (page is < 1 or > MaxPage)
        {
            return ApiError.Invalid($"page starts at 1 (at most {MaxPage}).", "page");
        }

        return pageSize is < 1 or > Page<object>.MaxPageSize
            ? ApiError.Invalid($"pageSize is between 1 and {Page<object>.MaxPageSize}.", "pageSize")
            : null;
    }
}
