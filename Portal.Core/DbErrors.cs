using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Portal.Core;

internal static class DbErrors
{
    /// <summary>A unique index refused the row: someone else took the value between our check and our insert.</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception, string? index = null) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } postgres
        && (index is null || postgres.ConstraintName == index);
}
