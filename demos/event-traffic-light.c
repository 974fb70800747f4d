/* event-traffic-light: one thread signals, others wait.
 * Seed 000 §2.8 (利用Event类模拟红绿灯), seed 002 (Event), seed 003 (Event 事件).
 *
 * The article's program:
 *
 *     event = threading.Event()
 *
 *     def lighter():
 *         count = 0
 *         event.set()                   # 初始值为绿灯: start green
 *         while True:
 *             if 5 < count <= 10:
 *                 event.clear()         # 红灯: red, clear the flag
 *                 print("\33[41;1mred light is on...\033[0m")
 *             elif count > 10:
 *                 event.set()           # 绿灯: green, set the flag
 *                 count = 0
 *             else:
 *                 print("\33[42;1mgreen light is on...\033[0m")
 *             time.sleep(1)
 *             count += 1
 *
 *     def car(name):
 *         while True:
 *             if event.is_set():
 *                 print("[%s] running..." % name)
 *                 time.sleep(1)
 *             else:
 *                 print("[%s] sees red light,waiting..." % name)
 *                 event.wait()
 *                 print("[%s] green light is on,start going..." % name)
 *
 * Pthreads has no Event, so demos/primitives/event.c builds one from the
 * three things every waiting-for-something needs: a flag, a mutex that
 * guards it, and a condition variable to sleep on until the flag changes. */
#include "lesson.h"

#include "primitives/event.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static struct event light; /* event = threading.Event(): set means green */

#define GREEN "42;1" /* the article's colours: \33[42;1m and \33[41;1m */
#define RED "41;1"

/* The article's loops run forever; this one stops after --cycles.  The
 * lighter closes the road when it stops, and sets the light so that no car
 * waits forever. */
static atomic_bool road_closed;
static int cycles;
static double patience; /* --patience; without it (0) a car waits as the article's does */
static double car_phase; /* --car-phase: cars look this long before the light's second begins */

/* When a car looks next: a second from now, or with --car-phase on a grid
 * just before each of the light's seconds, so that it looks before a change. */
static double next_look(double now)
{
    if (car_phase == 0)
        return now + 1;
    double next = ceil(now + car_phase) - car_phase;
    return next - now < 0.5 ? next + 1 : next;
}

/* What the lighter measured: when each green and each red began. */
enum { MAX_CYCLES = 100 };
static double green_at[MAX_CYCLES + 1], red_at[MAX_CYCLES];
static atomic_int greens; /* green edges so far; the cars read it too */
static int reds;

static void *lighter(void *unused)
{
    (void)unused;
    int count = 0;
    event_set(&light); /* start green */
    span_begin("light", "green"); /* spans: what --timeline and --trace draw */
    green_at[atomic_fetch_add(&greens, 1)] = lesson_now();
    for (int tick = 0;; tick++) { /* while True, one pass a lesson second */
        if (5 < count && count <= 10) {
            event_clear(&light); /* red: cars that look now will wait */
            if (count == 6) {
                red_at[reds++] = lesson_now();
                span_end("light", "green");
                span_begin("light", "red");
            }
            say_in_color("light", RED, "red light is on...");
        } else if (count > 10) {
            /* The article prints nothing here: green again, without a line.
             * The note comes first, so that it stands before the cars' starts. */
            note("count is 11: the light sets the event, green again, and prints nothing; count goes back to "
                 "0, so from here a cycle has 5 green lines, not 6.");
            green_at[atomic_load(&greens)] = lesson_now();
            atomic_fetch_add(&greens, 1);
            span_end("light", "red");
            span_begin("light", "green");
            event_set(&light); /* green: wakes every waiting car */
            count = 0;
        } else {
            say_in_color("light", GREEN, "green light is on...");
        }
        if (greens > cycles || !lesson_sleep_until(tick + 1)) /* time.sleep(1) */
            break;
        count++;
    }
    if (greens > cycles) /* half a second more, to see the cars go */
        lesson_sleep_until(lesson_now() + 0.5);
    atomic_store(&road_closed, true);
    span_end("light", count > 5 && count <= 10 ? "red" : "green");
    event_set(&light); /* wake any car still waiting */
    note("lights out after %d cycle%s: the road is closed (the article's light runs forever).", reds,
         reds == 1 ? "" : "s");
    return NULL;
}

struct car {
    char name[16];  /* MINI */
    char actor[24]; /* "car MINI", the transcript's actor */
    int waits;      /* times it saw red and waited */
    int timeouts;   /* times a wait(--patience) ran out while still red */
    int starts;     /* times it started at green */
    double worst_start_lag; /* the longest from a set() to its start */
    double *green_looks;    /* when it looked and saw green, to compare with the reds afterwards */
    int looks, most_looks;
};

static void *car(void *arg) /* def car(name): */
{
    struct car *me = arg;
    double next_tick = next_look(lesson_now());
    while (!atomic_load(&road_closed)) {
        double looked = lesson_now();
        if (event_is_set(&light)) { /* look ... */
            say(me->actor, "[%s] running...", me->name); /* ... then move: the light may change in between */
            if (me->looks < me->most_looks)
                me->green_looks[me->looks++] = looked;
            span_begin(me->actor, SPAN_RUNNING);
            bool slept = lesson_sleep_until(next_tick); /* time.sleep(1); false: Ctrl-C */
            span_end(me->actor, SPAN_RUNNING);
            if (!slept)
                break;
            next_tick += 1;
        } else {
            say(me->actor, "[%s] sees red light,waiting...", me->name); /* the article's words: no space */
            me->waits++;
            int greens_before = atomic_load(&greens);
            span_begin(me->actor, SPAN_WAITING);
            if (patience == 0) {
                event_wait(&light); /* blocks: no CPU used while red */
            } else {
                double since = lesson_now();
                while (!event_wait_timeout(&light, patience)) { /* returned False: still red */
                    me->timeouts++;
                    say(me->actor, "[%s] still red after %.2f s, waiting again...", me->name, lesson_now() - since);
                    since = lesson_now();
                }
            }
            span_end(me->actor, SPAN_WAITING);
            if (atomic_load(&greens) == greens_before) /* woken by the road closing, not by a green */
                break;
            say(me->actor, "[%s] green light is on,start going...", me->name);
            me->starts++;
            double lag = lesson_now() - green_at[atomic_load(&greens) - 1]; /* written before the set() */
            if (lag > me->worst_start_lag)
                me->worst_start_lag = lag;
            next_tick = next_look(lesson_now()); /* its seconds now count from the green edge */
        }
    }
    return NULL;
}

/* Look, then act: a car that saw green less than half a second before the
 * light turned red drove most of that second on red.  Found afterwards, from
 * the times the car and the lighter recorded; returns how many. */
static int report_red_runners(const struct car *cars, int count)
{
    int caught = 0;
    for (int c = 0; c < reds; c++)
        for (int i = 0; i < count; i++)
            for (int k = 0; k < cars[i].looks; k++) {
                double before = red_at[c] - cars[i].green_looks[k];
                if (before >= 0 && before < 0.5) {
                    caught++;
                    say("main", "%s looked at %.3f s: green; the light turned red %.3f s later", cars[i].name,
                        cars[i].green_looks[k], before);
                    note("It had decided to go, and drove that second on red.");
                }
            }
    return caught;
}

static const char *const car_names[] = { "MINI", "TAXI", "BUS", "VAN", "TRUCK" };

static void report(const struct car *cars, int count)
{
    int waits = 0, timeouts = 0, starts = 0;
    double start_lag = 0;
    for (int i = 0; i < count; i++) {
        if (cars[i].worst_start_lag > start_lag)
            start_lag = cars[i].worst_start_lag;
        waits += cars[i].waits;
        timeouts += cars[i].timeouts;
        starts += cars[i].starts;
    }
    /* The measured light: green from a set to the next clear, red from the clear to the next set. */
    double green = 0, red = 0, period = 0;
    for (int c = 0; c < reds; c++) {
        green += red_at[c] - green_at[c];
        red += green_at[c + 1] - red_at[c];
        period += green_at[c + 1] - green_at[c];
    }
    say("main", "joined the lighter and %d car%s", count, count == 1 ? "" : "s");
    int ran_red = report_red_runners(cars, count);
    note("Measured: green %.2f s and red %.2f s, a period of %.2f s, over %d cycle%s.", green / reds, red / reds,
         period / reds, reds, reds == 1 ? "" : "s");
    if (patience == 0)
        note("A car that saw red blocked in wait() and printed nothing until set() woke it:");
    else
        note("A car that saw red blocked in wait(%g); %d wait%s ran out while red, and returned False:", patience,
             timeouts, timeouts == 1 ? "" : "s");
    note("the cars saw red %d time%s, and started %d time%s at the green edge, at most %.3f s after "
         "the set().",
         waits, waits == 1 ? "" : "s", starts, starts == 1 ? "" : "s", start_lag);
    if (start_lag > 0.2)
        note("That is late: the machine fell behind the lesson clock (try a lower --speed).");
    if (ran_red) {
        note("%d time%s a car looked, saw green, and the light changed before its second was over:", ran_red,
             ran_red == 1 ? "" : "s");
        note("is_set() and the move are two steps, and the lighter can run between them.");
    } else {
        note("This run no car looked in the half second before a red: the cars look just after the "
             "light's second begins. The window is still there: nothing stops the lighter clearing the "
             "event just after a car's is_set(). Python's car, which ticks with its light, drove into a "
             "red's first second in 9 of 15 cycles here (5 runs of 3); --car-phase 0.2 makes the cars "
             "look 0.2 s before the change.");
    }
    result("cycles=%d cars=%d green=%.2f red=%.2f period=%.2f waits=%d timeouts=%d starts=%d start_lag=%.3f "
           "ran_red=%d elapsed=%.2f",
           reds, count, green / reds, red / reds, period / reds, waits, timeouts, starts, start_lag, ran_red,
           lesson_now());
}

static int event_traffic_light_run(void)
{
    cycles = (int)option_int("cycles");
    int count = (int)option_int("cars");
    patience = option_given("patience") ? option_real("patience") : 0;
    car_phase = option_given("car-phase") ? option_real("car-phase") : 0;

    struct car *cars = calloc((size_t)count, sizeof *cars);
    struct team team;
    int most_looks = 12 * cycles + 4; /* at most one look a second, and one per green edge */
    double *looks = calloc((size_t)count * (size_t)most_looks, sizeof *looks);
    if (!cars || !looks || !team_init_together(&team, count + 1)) {
        free(cars);
        free(looks);
        return 1;
    }
    for (int i = 0; i < count; i++) {
        if (i < (int)(sizeof car_names / sizeof *car_names))
            snprintf(cars[i].name, sizeof cars[i].name, "%s", car_names[i]);
        else
            snprintf(cars[i].name, sizeof cars[i].name, "CAR-%d", i + 1);
        snprintf(cars[i].actor, sizeof cars[i].actor, "car %s", cars[i].name);
        cars[i].green_looks = looks + (size_t)i * (size_t)most_looks;
        cars[i].most_looks = most_looks;
    }
    event_init(&light);

    say("main", "start the lighter and %d car%s; %d cycle%s of 11 s", count, count == 1 ? "" : "s", cycles,
        cycles == 1 ? "" : "s");
    note("Green while count is 0 to 5, red while it is 6 to 10; at 11 green again.");
    bool started = team_start(&team, lighter, NULL);
    /* The lighter turns green first thing.  Python's start() returns only
     * once the lighter runs, so its car never sees the light before that;
     * here a car could, so main waits for the first green. */
    if (started)
        event_wait(&light);
    for (int i = 0; started && i < count; i++)
        if (!team_start(&team, car, &cars[i]))
            break;
    if (team.started > 0 && team.started < count + 1) {
        /* A car was refused: stop the lighter's sleeps as a closed pipe
         * would; it closes the road, and the cars on it go home. */
        clock_request_stop(-1);
    }
    team_join_all(&team);

    int status = team_report_refusal(&team);
    if (status == 0 && !lesson_stop_requested() && reds > 0)
        report(cars, count);
    event_destroy(&light);
    team_free(&team);
    free(cars);
    free(looks);
    return status;
}

static const struct option_spec event_traffic_light_options[] = {
    OPTION_INT("cycles", "2", 1, MAX_CYCLES, "how many 11-second cycles of the light to run"),
    OPTION_INT("cars", "1", 1, 100, "cars on the road: MINI, TAXI, BUS, VAN, TRUCK, CAR-6, ..."),
    OPTION_REAL("patience", "none", 0.1, 60, "at red, wait at most X lesson seconds at a time: event.wait(X)"),
    OPTION_REAL("car-phase", "none", 0, 0.9, "cars look X lesson seconds before each of the light's seconds"),
    OPTIONS_END,
};

const struct lesson event_traffic_light_lesson = {
    .name = "event-traffic-light",
    .summary = N_("a traffic light sets and clears an Event; cars wait on it at red"),
    .runs_for = { 23 }, /* seconds at speed 1 at the defaults, measured */
    .source = N_("seed 000 §2.8 利用Event类模拟红绿灯; seed 002 Event; seed 003 Event 事件"),
    .options = event_traffic_light_options,
    .results = "cycles cars green red period waits timeouts starts start_lag ran_red elapsed",
    .explanation =
        N_("An Event is a flag that threads can wait for.  set() raises it and wakes\n"
        "every waiter; clear() lowers it; is_set() reads it; wait() blocks while\n"
        "it is down.  Pthreads has none: this lesson builds one from a flag, a\n"
        "mutex and a condition variable, in a dozen lines.\n"
        "\n"
        "Seed 000's traffic light: the lighter thread keeps the event set (green)\n"
        "for 6 seconds and clear (red) for 5, and prints the article's lines, one a\n"
        "second -- except at count 11, where it sets the event and prints nothing.\n"
        "So the first cycle has 6 green lines and later ones 5.  A car prints\n"
        "`[MINI] running...` once a second while it is green; at red it prints\n"
        "`[MINI] sees red light,waiting...` once and blocks in wait(), using no CPU,\n"
        "until the lighter sets the event; it starts again exactly at the green\n"
        "edge.  What the article leaves out is said in notes.\n"
        "\n"
        "The article runs forever; this lesson runs --cycles cycles, then closes the\n"
        "road and sets the event once more, so no car is left waiting.\n"
        "\n"
        "Look, then act: the car asks is_set() and then moves.  The light can change\n"
        "between the two.  A car that saw green less than half a second before the\n"
        "light turned red drove that second on red: after the run the transcript\n"
        "names each one, from the times recorded, and the result counts them (ran_red).\n"),
    .actor_width = 11,
    .run = event_traffic_light_run,
};
