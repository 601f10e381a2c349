using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FanPin.Messaging.Hosting;

/// <summary>
/// Which consumer failures are worth retrying in memory: those that another attempt can cure (a deadlock, a
/// serialization failure, a concurrency conflict, a timeout, a dropped connection). Everything else — validation
/// errors, unique violations, bugs — fails the same way every time and goes straight to the error queue.
/// </summary>
public static class TransientExceptions
{
    public static bool IsTransient(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var pending = new Stack<Exception>();
        pending.Push(exception);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case DbUpdateConcurrencyException:
                case TimeoutException:
                    return true;
                case PostgresException postgres:
                    // 40001 serialization failure, 40P01 deadlock, 53xxx resources, 57P0x shutdown, 08xxx connection.
                    if (postgres.IsTransient)
                    {
                        return true;
                    }
                    break;
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true;
                case AggregateException aggregate:
                    foreach (var inner in aggregate.InnerExceptions)
                    {
                        pending.Push(inner);
                    }
                    break;
                case { InnerException: { } inner }:
                    pending.Push(inner);
                    break;
            }
        }
        return false;
    }
}
