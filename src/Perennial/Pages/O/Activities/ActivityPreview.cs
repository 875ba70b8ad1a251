using System.Globalization;
using Ical.Net.Evaluation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Perennial.Activities;
using Perennial.Common;

namespace Perennial.Pages.O.Activities;

/// <summary>The dates a form's schedule would produce, shown before it is saved.</summary>
public sealed record ActivityPreviewResult(IReadOnlyList<string>? Dates, string? Words, IReadOnlyList<(string Field, string Message)> Errors)
{
    public const int Count = 5;

    public static ActivityPreviewResult Of(ActivityForm form, ActivityService activities)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(activities);
        try
        {
            var schedule = form.ToSchedule();
            var errors = schedule.Validate();
            if (errors.Count > 0)
            {
                return new(null, null, errors);
            }

            var next = activities.Preview(schedule, Count);
            var words = ScheduleWords.Describe(schedule.Rrule, DateOnly.FromDateTime(schedule.DtStart));
            return new([.. next.Select(n => DueText.Format(n.Local, schedule.TimeZone))], words, []);
        }
        catch (UseCaseException e)
        {
            return new(null, null, [(e.Field ?? "", e.Message)]);
        }
        catch (ArgumentException e)
        {
            // A rule Ical.Net parses but cannot expand.
            return new(null, null, [("rrule", $"The recurrence rule cannot be expanded: {e.Message}")]);
        }
        catch (EvaluationException)
        {
            return new(null, null, [("rrule", NoDates)]);
        }
    }

    /// <summary>What to say when Ical.Net searched to the end of time without finding a date.</summary>
    public const string NoDates = "The recurrence rule produces no dates (for example, the 30th of February): check its BYMONTH, BYMONTHDAY and BYDAY parts.";

    /// <summary>Puts the errors beside their fields.</summary>
    public void AddErrorsTo(ModelStateDictionary state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var (field, message) in Errors)
        {
            state.AddModelError(FormErrors.Key(field), message);
        }
    }

    /// <summary>For the form's script: the dates, the rule in words, or the errors by field.</summary>
    public JsonResult ToJson() => new(new
    {
        dates = Dates ?? [],
        words = Words,
        errors = Errors.Select(e => new { field = e.Field, message = e.Message }),
    });
}

/// <summary>How pages write a local due date-time.</summary>
public static class DueText
{
    /// <summary>"Tue 31 Mar 2026, 09:00 Europe/London": unambiguous for people in any locale, and the same on every machine.</summary>
    public static string Format(DateTime local, string timeZone) =>
        local.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) + " " + timeZone;
}
