"""The floors of the pages and API lists: hand-written SQL returning the rows each one
shows (same columns, same visibility rule, same filter, same ORDER BY and LIMIT, and the
total where the page shows one), in one round trip per statement. Parameters are named
(%(org)s...) and filled from the bench context."""

from django.db import connection

# ruff: noqa: S608 - fixed SQL text assembled from constants; every value is a query parameter


def rows(sql: str, params: dict | list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.fetchall()


#: Staff whose caseloads a team leader sees: the leader and the members of the teams
#: they lead (crm.access.StaffScope._caseload_owners).
LEADER_STAFF = """
    SELECT u.id FROM crm_user u LEFT JOIN crm_team t ON t.id = u.team_id
    WHERE u.organisation_id = %(org)s AND (u.id = %(leader)s OR t.leader_id = %(leader)s)
"""

LEADER_JOB_SEEKERS = f"js.organisation_id = %(org)s AND js.specialist_id IN ({LEADER_STAFF})"

JOB_SEEKERS_COUNT = f"SELECT count(*) FROM crm_jobseeker js WHERE {LEADER_JOB_SEEKERS}"
JOB_SEEKERS_PAGE = f"""
    SELECT js.id, js.first_name, js.last_name, js.status, js.job_search_since, js.first_employer_contact_on,
           js.town, u.first_name, u.last_name
    FROM crm_jobseeker js LEFT JOIN crm_user u ON u.id = js.specialist_id
    WHERE {LEADER_JOB_SEEKERS}
    ORDER BY js.last_name, js.first_name, js.id LIMIT 25
"""

#: Employers with a name containing the word, or a site whose town contains it or whose
#: postcode starts with it: one uncorrelated UNION, each side able to use an index on
#: UPPER(name), UPPER(town) or postcode.
EMPLOYER_SEARCH = """
    AND e.id IN (
        SELECT n.id FROM employers_employer n WHERE upper(n.name) LIKE upper(%(like)s)
        UNION
        SELECT s.employer_id FROM employers_employersite s
        WHERE upper(s.town) LIKE upper(%(like)s) OR s.postcode LIKE %(prefix)s)
"""


def employers_count(search: bool, cap: int | None) -> str:
    """The total the list shows: exact up to `cap`, then "more than" (employers'
    LIST_COUNT_CAP), so counted up to cap + 1 rows at most; None: exact."""
    where = EMPLOYER_SEARCH if search else ""
    limit = f"LIMIT {int(cap) + 1}" if cap is not None else ""
    return (
        f"SELECT count(*) FROM (SELECT 1 FROM employers_employer e WHERE e.organisation_id = %(org)s {where} {limit}) c"
    )


def employers_page(search: bool) -> str:
    return f"""
    SELECT e.id, e.name, i.label_en, e.relationship_stage,
           (SELECT count(*) FROM employers_employersite s WHERE s.employer_id = e.id),
           (SELECT count(*) FROM employers_contactperson c WHERE c.employer_id = e.id)
    FROM employers_employer e LEFT JOIN crm_industry i ON i.id = e.industry_id
    WHERE e.organisation_id = %(org)s {EMPLOYER_SEARCH if search else ""}
    ORDER BY e.name, e.id LIMIT 25
    """


PLACEMENTS_VISIBLE = f"""
    FROM placements_placement p JOIN crm_jobseeker js ON js.id = p.job_seeker_id
    WHERE {LEADER_JOB_SEEKERS}
"""
PLACEMENTS_COUNT = f"SELECT count(*) {PLACEMENTS_VISIBLE}"
PLACEMENTS_PAGE = f"""
    SELECT p.id, p.job_title, p.status, p.end_reason, p.start_date, p.end_date, js.id, js.first_name,
           js.last_name, e.id, e.name, jt.label_en
    FROM placements_placement p JOIN crm_jobseeker js ON js.id = p.job_seeker_id
    JOIN employers_employer e ON e.id = p.employer_id LEFT JOIN crm_jobtype jt ON jt.id = p.job_type_id
    WHERE {LEADER_JOB_SEEKERS}
    ORDER BY p.offer_date DESC, p.id DESC LIMIT 25
"""

# API lists: a page of 50 by (sync field, id), rows stamped before the settle delay, one
# more row to know whether there is a next page (integrations.api.pagination).

CONSENTED = """
    SELECT sc.job_seeker_id FROM crm_sharingconsent sc
    WHERE sc.partner_id = %(partner)s AND sc.organisation_id = %(org)s AND sc.withdrawn_at IS NULL
      AND sc.consented_on <= %(today)s AND (sc.valid_until IS NULL OR sc.valid_until >= %(today)s)
"""

API_PARTNER_JOB_SEEKERS = f"""
    SELECT * FROM (
        SELECT js.id, js.first_name, js.last_name, js.email, js.phone, js.address, js.postcode, js.town,
               js.referral_date, js.receives_benefits, js.referred_by_partner_id = %(partner)s,
               GREATEST(js.updated_at, COALESCE((SELECT max(sc.updated_at) FROM crm_sharingconsent sc
                   WHERE sc.job_seeker_id = js.id AND sc.partner_id = %(partner)s), js.updated_at)) AS sync_at,
               js.id IN ({CONSENTED} AND sc.shares_benefits) AS benefits_shared
        FROM crm_jobseeker js
        WHERE js.organisation_id = %(org)s
          AND (js.referred_by_partner_id = %(partner)s OR js.id IN ({CONSENTED}))
    ) people WHERE sync_at <= %(settled)s
    ORDER BY sync_at, id LIMIT 51
"""

API_PARTNER_PLACEMENTS = f"""
    SELECT p.id, p.job_seeker_id, p.job_title, jt.code, p.hours_per_week, p.hourly_pay, p.is_competitive, p.term,
           p.offer_date, p.expected_start_date, p.start_date, p.end_date, p.status, p.end_reason,
           (SELECT json_agg(json_build_array(m.name, m.due_date, m.reached_at, m.still_working) ORDER BY m.id)
            FROM placements_placementmilestone m WHERE m.placement_id = p.id),
           p.created_at, p.updated_at
    FROM placements_placement p JOIN crm_jobseeker js ON js.id = p.job_seeker_id
    LEFT JOIN crm_jobtype jt ON jt.id = p.job_type_id
    WHERE js.organisation_id = %(org)s AND p.job_seeker_id IN ({CONSENTED} AND sc.shares_progress)
      AND p.updated_at <= %(settled)s
    ORDER BY p.updated_at, p.id LIMIT 51
"""

API_EMPLOYERS = """
    SELECT e.id, e.name, i.code, e.size, e.relationship_stage, e.website, e.description,
           (SELECT json_agg(json_build_array(s.id, s.name, s.address, s.postcode, s.town, s.latitude, s.longitude)
                            ORDER BY s.town, s.id)
            FROM employers_employersite s WHERE s.employer_id = e.id),
           (SELECT json_agg(json_build_array(c.id, c.site_id, c.name, c.role, c.has_hiring_authority,
                                             c.preferred_channel, c.phone, c.email) ORDER BY c.name, c.id)
            FROM employers_contactperson c WHERE c.employer_id = e.id),
           e.created_at, e.updated_at
    FROM employers_employer e LEFT JOIN crm_industry i ON i.id = e.industry_id
    WHERE e.organisation_id = %(org)s AND e.updated_at <= %(settled)s
    ORDER BY e.updated_at, e.id LIMIT 51
"""


def api_employer_contacts(filtered: bool) -> str:
    where = "AND c.status = 'held' AND c.specialist_id = %(specialist)s" if filtered else ""
    return f"""
    SELECT c.id, u.id, u.first_name, u.last_name, c.employer_id, c.site_id, c.contact_person_id, c.status, c.mode,
           c.nature, c.purpose,
           (SELECT array_agg(m.jobseeker_id ORDER BY m.jobseeker_id) FROM jobdev_employercontact_job_seekers m
            JOIN crm_jobseeker js ON js.id = m.jobseeker_id
            WHERE m.employercontact_id = c.id AND {LEADER_JOB_SEEKERS}),
           c.confirmed, c.starts_at, c.ends_at, c.met_hiring_authority, c.learned_hiring_needs,
           (SELECT array_agg(jt.code ORDER BY jt.code) FROM jobdev_employercontact_learned_job_types l
            JOIN crm_jobtype jt ON jt.id = l.jobtype_id WHERE l.employercontact_id = c.id),
           c.learned_hiring_process, c.best_time_to_apply, c.result, c.next_step, c.next_step_on, c.cancel_reason,
           c.sequence, c.created_at, c.updated_at
    FROM jobdev_employercontact c JOIN crm_user u ON u.id = c.specialist_id
    WHERE c.organisation_id = %(org)s AND c.updated_at <= %(settled)s {where}
    ORDER BY c.updated_at, c.id LIMIT 51
    """


# Dashboards: what they count, in grouped SQL over the staff in scope and the period.


def dashboard_aggregates(staff_sql: str) -> list[str]:
    """The counts a dashboard shows for the staff of `staff_sql` from %(date_from)s to
    %(date_to)s: caseloads by status, employer contacts per person and ISO week (held,
    in person, on someone's behalf), first employer contact delays, jobs started and
    ended, follow-along tasks due and done on time, benefits steps by status."""
    return [
        f"""SELECT js.specialist_id, js.status, count(*) FROM crm_jobseeker js
            WHERE js.organisation_id = %(org)s AND js.specialist_id IN ({staff_sql}) GROUP BY 1, 2""",
        f"""SELECT c.specialist_id, date_trunc('week', c.starts_at AT TIME ZONE %(tz)s) AS week, count(*),
                   count(*) FILTER (WHERE c.mode = 'in_person'), count(*) FILTER (WHERE c.purpose = 'on_behalf')
            FROM jobdev_employercontact c
            WHERE c.organisation_id = %(org)s AND c.specialist_id IN ({staff_sql}) AND c.status = 'held'
              AND c.starts_at >= %(start)s AND c.starts_at < %(end)s
            GROUP BY 1, 2""",
        f"""SELECT js.specialist_id, count(*), avg(js.first_employer_contact_on - js.enrolment_date),
                   count(*) FILTER (WHERE js.status = 'job_search' AND js.first_employer_contact_on IS NULL)
            FROM crm_jobseeker js
            WHERE js.organisation_id = %(org)s AND js.specialist_id IN ({staff_sql})
              AND js.enrolment_date <= %(date_to)s
            GROUP BY 1""",
        f"""SELECT js.specialist_id, count(*) FILTER (WHERE p.start_date BETWEEN %(date_from)s AND %(date_to)s),
                   count(*) FILTER (WHERE p.end_date BETWEEN %(date_from)s AND %(date_to)s),
                   count(*) FILTER (WHERE p.is_competitive)
            FROM placements_placement p JOIN crm_jobseeker js ON js.id = p.job_seeker_id
            WHERE js.organisation_id = %(org)s AND js.specialist_id IN ({staff_sql})
            GROUP BY 1""",
        f"""SELECT t.owner_id, t.kind, count(*), count(*) FILTER (WHERE t.completed_on <= t.due_date)
            FROM placements_supporttask t
            WHERE t.organisation_id = %(org)s AND t.owner_id IN ({staff_sql})
              AND t.due_date BETWEEN %(date_from)s AND %(date_to)s
            GROUP BY 1, 2""",
        f"""SELECT js.specialist_id, b.status, count(*) FROM placements_benefitsstep b
            JOIN crm_jobseeker js ON js.id = b.job_seeker_id
            WHERE js.organisation_id = %(org)s AND js.specialist_id IN ({staff_sql}) GROUP BY 1, 2""",
    ]


TEAM_STAFF = """
    SELECT u.id FROM crm_user u LEFT JOIN crm_team t ON t.id = u.team_id
    WHERE u.organisation_id = %(org)s AND (u.team_id = %(team)s OR t.leader_id IS NOT NULL AND u.id = (
        SELECT leader_id FROM crm_team WHERE id = %(team)s))
"""
PROGRAM_STAFF = "SELECT u.id FROM crm_user u WHERE u.organisation_id = %(org)s"

# The calendar feed: a specialist's in-person employer contacts in the window, and
# their support tasks with a time (appointments), with what the events print.

FEED_VISITS = """
    SELECT c.id, c.starts_at, c.ends_at, c.status, c.sequence, c.updated_at, e.name, s.address, s.postcode, s.town
    FROM jobdev_employercontact c JOIN employers_employer e ON e.id = c.employer_id
    LEFT JOIN employers_employersite s ON s.id = c.site_id
    WHERE c.organisation_id = %(org)s AND c.specialist_id = %(specialist)s AND c.mode = 'in_person'
      AND c.starts_at >= %(start)s AND c.starts_at < %(end)s
      AND (c.status <> 'cancelled' OR c.updated_at >= %(grace)s)
    ORDER BY c.starts_at, c.id
"""
FEED_APPOINTMENTS = """
    SELECT t.id, t.due_date, t.due_time, t.duration_minutes, t.status, t.sequence, t.updated_at, t.kind,
           js.first_name, js.last_name
    FROM placements_supporttask t JOIN crm_jobseeker js ON js.id = t.job_seeker_id
    WHERE t.organisation_id = %(org)s AND t.owner_id = %(specialist)s AND t.due_time IS NOT NULL
      AND t.due_date BETWEEN %(first)s AND %(last)s
      AND (t.status <> 'cancelled' OR t.updated_at >= %(grace)s)
    ORDER BY t.due_date, t.due_time, t.id
"""

# The export: every employer contact the program admin sees, oldest first, with the
# CSV's columns (names of the job seekers it was made for included).

EXPORT_SELECT = """
    SELECT (c.starts_at AT TIME ZONE %(tz)s)::date, (c.starts_at AT TIME ZONE %(tz)s)::time,
           (c.ends_at AT TIME ZONE %(tz)s)::time, concat_ws(' ', u.first_name, u.last_name), e.name,
           coalesce(s.town, ''), coalesce(p.name, ''), c.mode, c.nature, c.purpose, c.status,
           (SELECT string_agg(concat_ws(' ', js.first_name, js.last_name), ', ')
            FROM jobdev_employercontact_job_seekers m JOIN crm_jobseeker js ON js.id = m.jobseeker_id
            WHERE m.employercontact_id = c.id),
           c.met_hiring_authority, c.learned_hiring_needs, c.result, c.next_step, c.next_step_on
    FROM jobdev_employercontact c JOIN crm_user u ON u.id = c.specialist_id
    JOIN employers_employer e ON e.id = c.employer_id
    LEFT JOIN employers_employersite s ON s.id = c.site_id
    LEFT JOIN employers_contactperson p ON p.id = c.contact_person_id
    WHERE c.organisation_id = %(org)s
    ORDER BY c.starts_at, c.id
"""
