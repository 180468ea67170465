"""The fixed content of the demo: people, domains, courses and their curricula.

Everything here is data, so the demo is the same on every machine. Content links are https URLs a
player can open: videos are Google's public sample clips; materials and subtitles point at the paths the
academy's CDN uses for them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

DEMO_PASSWORD = "learn-with-dca"  # noqa: S105 - the published demo password
ADMIN_EMAIL = "admin@example.com"
INSTRUCTOR_EMAIL = "instructor@example.com"
STUDENT_EMAIL = "student@example.com"

DOMAINS = [
    ("web-development", "Web Development", "Build websites and web applications, front end to back end."),
    ("data-science", "Data Science", "Analyse data, build models and communicate findings."),
    ("cloud-devops", "Cloud & DevOps", "Ship and run software reliably on cloud infrastructure."),
    ("mobile-development", "Mobile Development", "Native and cross-platform apps for Android and iOS."),
    ("cybersecurity", "Cybersecurity", "Defend systems, find vulnerabilities and respond to incidents."),
    ("ui-ux-design", "UI/UX Design", "Research, design and prototype products people enjoy using."),
]

ADMIN = (ADMIN_EMAIL, "Aarav Mehta")
# (email, full name); the first owns the published courses the demo shows off.
INSTRUCTORS = [
    (INSTRUCTOR_EMAIL, "Priya Raman"),
    ("vikram.iyer@example.com", "Vikram Iyer"),
    ("sneha.kulkarni@example.com", "Sneha Kulkarni"),
    ("arjun.nair@example.com", "Arjun Nair"),
    ("fatima.sheikh@example.com", "Fatima Sheikh"),
]
# (email, full name, domain slug, branch, year); the first is the demo student.
STUDENTS = [
    (STUDENT_EMAIL, "Ananya Sharma", "data-science", "Computer Science", 3),
    ("rohan.verma@example.com", "Rohan Verma", "web-development", "Information Technology", 2),
    ("kavya.reddy@example.com", "Kavya Reddy", "data-science", "Mathematics", 4),
    ("aditya.singh@example.com", "Aditya Singh", "cloud-devops", "Computer Science", 4),
    ("ishita.gupta@example.com", "Ishita Gupta", "ui-ux-design", "Design", 2),
    ("karthik.subramanian@example.com", "Karthik Subramanian", "web-development", "Electronics", 3),
    ("meera.joshi@example.com", "Meera Joshi", "cybersecurity", "Computer Science", 1),
    ("siddharth.rao@example.com", "Siddharth Rao", "mobile-development", "Information Technology", 3),
    ("pooja.patel@example.com", "Pooja Patel", "data-science", "Statistics", 2),
    ("nikhil.menon@example.com", "Nikhil Menon", "cloud-devops", "Electrical Engineering", 4),
    ("divya.krishnan@example.com", "Divya Krishnan", "web-development", "Computer Science", 1),
    ("rahul.chatterjee@example.com", "Rahul Chatterjee", "cybersecurity", "Information Technology", 4),
    ("neha.agarwal@example.com", "Neha Agarwal", "ui-ux-design", "Fine Arts", 3),
    ("varun.malhotra@example.com", "Varun Malhotra", "mobile-development", "Computer Science", 2),
    ("lakshmi.pillai@example.com", "Lakshmi Pillai", "data-science", "Economics", 4),
    ("aman.khan@example.com", "Aman Khan", "web-development", "Mechanical Engineering", 3),
    ("shreya.das@example.com", "Shreya Das", "cloud-devops", "Computer Science", 2),
    ("harsh.pandey@example.com", "Harsh Pandey", "cybersecurity", "Electronics", 1),
    ("tanvi.bhatt@example.com", "Tanvi Bhatt", "ui-ux-design", "Architecture", 4),
    ("manish.yadav@example.com", "Manish Yadav", "mobile-development", "Information Technology", 3),
    ("riya.sen@example.com", "Riya Sen", "data-science", "Physics", 2),
    ("abhishek.mishra@example.com", "Abhishek Mishra", "web-development", "Computer Science", 4),
    ("sanya.kapoor@example.com", "Sanya Kapoor", "ui-ux-design", "Design", 1),
    ("deepak.naidu@example.com", "Deepak Naidu", "cloud-devops", "Civil Engineering", 3),
    ("aishwarya.hegde@example.com", "Aishwarya Hegde", "cybersecurity", "Computer Science", 2),
    ("yash.thakur@example.com", "Yash Thakur", "mobile-development", "Electronics", 4),
    ("nandini.rao@example.com", "Nandini Rao", "data-science", "Biotechnology", 3),
    ("gaurav.saxena@example.com", "Gaurav Saxena", "web-development", "Information Technology", 2),
    ("priyanka.dutta@example.com", "Priyanka Dutta", "cloud-devops", "Computer Science", 1),
    ("zoya.ansari@example.com", "Zoya Ansari", "cybersecurity", "Mathematics", 3),
]


@dataclass(frozen=True)
class ModuleSpec:
    title: str
    lessons: tuple[str, ...]
    # One hand-written question per module: (question, options, correct index, explanation).
    question: tuple[str, tuple[str, ...], int, str]


@dataclass(frozen=True)
class CourseSpec:
    slug: str
    title: str
    domain: str
    instructor: str  # email
    price: Decimal
    status: str  # draft | pending_review | published | rejected
    description: str
    modules: tuple[ModuleSpec, ...] = field(default_factory=tuple)
    rejection_reason: str = ""

    @property
    def is_free(self) -> bool:
        return self.price == 0


def _m(title: str, lessons: tuple[str, ...], question: tuple[str, tuple[str, ...], int, str]) -> ModuleSpec:
    return ModuleSpec(title=title, lessons=lessons, question=question)


COURSES = [
    CourseSpec(
        slug="python-for-data-analysis",
        title="Python for Data Analysis",
        domain="data-science",
        instructor=INSTRUCTOR_EMAIL,
        price=Decimal("0.00"),
        status="published",
        description="Load, clean, explore and visualise real data sets with pandas and Matplotlib.",
        modules=(
            _m(
                "Python refresher",
                ("Variables and data types", "Lists, dicts and comprehensions", "Functions and modules"),
                ("Which type is immutable?", ("list", "dict", "tuple", "set"), 2, "Tuples cannot be changed."),
            ),
            _m(
                "pandas essentials",
                ("Series and DataFrames", "Selecting and filtering rows", "Grouping and aggregation"),
                (
                    "Which pandas method splits rows into groups?",
                    ("merge", "groupby", "pivot", "melt"),
                    1,
                    "groupby splits, applies and combines.",
                ),
            ),
            _m(
                "Visualising data",
                ("Line and bar charts", "Histograms and distributions", "Telling a story with charts"),
                (
                    "Which chart shows the distribution of one numeric variable?",
                    ("Pie chart", "Histogram", "Scatter plot", "Gantt chart"),
                    1,
                    "A histogram bins values to show their distribution.",
                ),
            ),
        ),
    ),
    CourseSpec(
        slug="full-stack-web-development-with-django",
        title="Full-Stack Web Development with Django",
        domain="web-development",
        instructor=INSTRUCTOR_EMAIL,
        price=Decimal("1499.00"),
        status="published",
        description="Models, views, REST APIs and deployment: build and ship a complete Django application.",
        modules=(
            _m(
                "Django fundamentals",
                ("Projects and apps", "Models and migrations", "The admin site"),
                (
                    "Which command creates migration files?",
                    ("migrate", "makemigrations", "runserver", "collectstatic"),
                    1,
                    "makemigrations writes them; migrate applies them.",
                ),
            ),
            _m(
                "Building REST APIs",
                ("Serializers", "Views and routers", "Authentication and permissions"),
                (
                    "Which HTTP status means 'created'?",
                    ("200", "201", "204", "302"),
                    1,
                    "201 Created answers a successful POST that made a resource.",
                ),
            ),
            _m(
                "Shipping to production",
                ("Settings from the environment", "Static files and gunicorn", "Monitoring and logs"),
                (
                    "Which setting must be False in production?",
                    ("USE_TZ", "DEBUG", "APPEND_SLASH", "USE_I18N"),
                    1,
                    "DEBUG leaks internals and slows the site.",
                ),
            ),
        ),
    ),
    CourseSpec(
        slug="machine-learning-foundations",
        title="Machine Learning Foundations",
        domain="data-science",
        instructor=INSTRUCTOR_EMAIL,
        price=Decimal("1999.00"),
        status="published",
        description="Regression, classification and model evaluation with scikit-learn, from first principles.",
        modules=(
            _m(
                "Learning from data",
                ("What is a model?", "Training and test sets", "Bias and variance"),
                (
                    "Why keep a test set aside?",
                    ("To train faster", "To estimate performance on unseen data", "To add features", "To scale data"),
                    1,
                    "A model is judged on data it never saw.",
                ),
            ),
            _m(
                "Supervised learning",
                ("Linear regression", "Logistic regression", "Decision trees"),
                (
                    "Which model predicts a category?",
                    ("Linear regression", "Logistic regression", "k-means", "PCA"),
                    1,
                    "Logistic regression is a classifier despite its name.",
                ),
            ),
            _m(
                "Evaluating models",
                ("Accuracy, precision and recall", "Cross-validation", "Avoiding overfitting"),
                (
                    "Recall measures the share of…",
                    ("predicted positives that are right", "actual positives that are found", "all rows", "errors"),
                    1,
                    "Recall = true positives / actual positives.",
                ),
            ),
        ),
    ),
    CourseSpec(
        slug="docker-and-kubernetes-in-practice",
        title="Docker and Kubernetes in Practice",
        domain="cloud-devops",
        instructor="vikram.iyer@example.com",
        price=Decimal("999.00"),
        status="published",
        description="Containerise applications and run them on Kubernetes with confidence.",
        modules=(
            _m(
                "Containers",
                ("Images and containers", "Writing a Dockerfile", "Docker Compose"),
                (
                    "Which file describes how to build an image?",
                    ("compose.yaml", "Dockerfile", "Makefile", "Procfile"),
                    1,
                    "A Dockerfile lists the build steps.",
                ),
            ),
            _m(
                "Kubernetes basics",
                ("Pods and deployments", "Services and ingress", "ConfigMaps and secrets"),
                (
                    "What keeps a set number of pod replicas running?",
                    ("Service", "Deployment", "Ingress", "Namespace"),
                    1,
                    "A Deployment manages a ReplicaSet.",
                ),
            ),
            _m(
                "Operating clusters",
                ("Health probes", "Autoscaling", "Rolling updates"),
                (
                    "Which probe decides whether a pod receives traffic?",
                    ("liveness", "readiness", "startup", "exec"),
                    1,
                    "Readiness gates traffic; liveness restarts.",
                ),
            ),
        ),
    ),
    CourseSpec(
        slug="modern-javascript-and-react",
        title="Modern JavaScript and React",
        domain="web-development",
        instructor="vikram.iyer@example.com",
        price=Decimal("0.00"),
        status="published",
        description="ES2023 JavaScript and React with hooks: components, state and data fetching.",
        modules=(
            _m(
                "Modern JavaScript",
                ("let, const and arrow functions", "Promises and async/await", "Modules"),
                (
                    "Which keyword declares a block-scoped constant?",
                    ("var", "let", "const", "static"),
                    2,
                    "const cannot be reassigned.",
                ),
            ),
            _m(
                "React components",
                ("JSX", "Props and composition", "State with useState"),
                (
                    "Which hook holds component state?",
                    ("useEffect", "useState", "useRef", "useMemo"),
                    1,
                    "useState returns the value and its setter.",
                ),
            ),
            _m(
                "Data and effects",
                ("useEffect", "Fetching from an API", "Forms"),
                (
                    "When does an effect with an empty dependency list run?",
                    ("Every render", "Once after the first render", "Never", "On unmount only"),
                    1,
                    "[] means no dependency ever changes.",
                ),
            ),
        ),
    ),
    CourseSpec(
        slug="android-apps-with-kotlin",
        title="Android Apps with Kotlin",
        domain="mobile-development",
        instructor="sneha.kulkarni@example.com",
        price=Decimal("1299.00"),
        status="published",
        description="Build modern Android apps with Kotlin and Jetpack Compose.",
        modules=(
            _m(
                "Kotlin for Android",
                ("Null safety", "Data classes", "Coroutines"),
                (
                    "Which operator calls a method only if the value is not null?",
                    ("!!", "?.", "::", "->"),
                    1,
                    "The safe-call operator ?. short-circuits on null.",
                ),
            ),
            _m(
                "Jetpack Compose",
                ("Composable functions", "State hoisting", "Lists and navigation"),
                (
                    "Which annotation marks a UI function in Compose?",
                    ("@UI", "@Composable", "@View", "@Widget"),
                    1,
                    "@Composable functions emit UI.",
                ),
            ),
            _m(
                "Data and storage",
                ("Room database", "Calling REST APIs", "Publishing to the Play Store"),
                (
                    "Room is a layer over which database?",
                    ("Realm", "SQLite", "Firebase", "PostgreSQL"),
                    1,
                    "Room wraps SQLite.",
                ),
            ),
        ),
    ),
    CourseSpec(
        slug="ethical-hacking-essentials",
        title="Ethical Hacking Essentials",
        domain="cybersecurity",
        instructor="arjun.nair@example.com",
        price=Decimal("0.00"),
        status="published",
        description="Reconnaissance, scanning and the OWASP Top 10, practised legally in your own lab.",
        modules=(
            _m(
                "Foundations",
                ("The hacker mindset and the law", "Setting up a lab", "Networking refresher"),
                (
                    "What must you have before testing a system?",
                    ("A fast laptop", "Written permission", "A VPN", "Root access"),
                    1,
                    "Testing without authorisation is illegal.",
                ),
            ),
            _m(
                "Reconnaissance and scanning",
                ("Passive reconnaissance", "Port scanning with nmap", "Service enumeration"),
                (
                    "Which tool is the classic port scanner?",
                    ("Wireshark", "nmap", "Burp Suite", "John the Ripper"),
                    1,
                    "nmap maps hosts and open ports.",
                ),
            ),
            _m(
                "Web vulnerabilities",
                ("SQL injection", "Cross-site scripting", "Broken access control"),
                (
                    "Which defence stops SQL injection?",
                    ("Hiding errors", "Parameterised queries", "HTTPS", "Long passwords"),
                    1,
                    "Parameters keep data out of the SQL text.",
                ),
            ),
        ),
    ),
    CourseSpec(
        slug="ui-design-fundamentals-with-figma",
        title="UI Design Fundamentals with Figma",
        domain="ui-ux-design",
        instructor="fatima.sheikh@example.com",
        price=Decimal("799.00"),
        status="published",
        description="Layout, typography, colour and prototyping, hands-on in Figma.",
        modules=(
            _m(
                "Visual design basics",
                ("Grids and layout", "Typography", "Colour and contrast"),
                (
                    "What minimum contrast ratio does WCAG AA ask for body text?",
                    ("2:1", "3:1", "4.5:1", "7:1"),
                    2,
                    "4.5:1 for normal-size text.",
                ),
            ),
            _m(
                "Working in Figma",
                ("Frames and auto layout", "Components and variants", "Design systems"),
                (
                    "Which Figma feature makes a frame resize with its content?",
                    ("Constraints", "Auto layout", "Masks", "Plugins"),
                    1,
                    "Auto layout stacks and resizes.",
                ),
            ),
            _m(
                "Prototyping and testing",
                ("Interactive prototypes", "Usability testing", "Handing off to developers"),
                (
                    "How many users usually reveal most usability problems in a round?",
                    ("1", "5", "50", "500"),
                    1,
                    "Nielsen's rule of thumb: about five.",
                ),
            ),
        ),
    ),
    CourseSpec(
        slug="sql-for-analysts",
        title="SQL for Analysts",
        domain="data-science",
        instructor="sneha.kulkarni@example.com",
        price=Decimal("0.00"),
        status="pending_review",
        description="Answer business questions with SELECT, JOIN, GROUP BY and window functions.",
        modules=(
            _m(
                "Querying",
                ("SELECT and WHERE", "JOINs"),
                ("Which clause filters groups?", ("WHERE", "HAVING", "ORDER BY", "LIMIT"), 1, "HAVING filters groups."),
            ),
        ),
    ),
    CourseSpec(
        slug="aws-cloud-practitioner-bootcamp",
        title="AWS Cloud Practitioner Bootcamp",
        domain="cloud-devops",
        instructor="arjun.nair@example.com",
        price=Decimal("2499.00"),
        status="pending_review",
        description="Everything the AWS Certified Cloud Practitioner exam covers, with practice tests.",
        modules=(
            _m(
                "Cloud concepts",
                ("Regions and availability zones", "The shared responsibility model"),
                (
                    "Who patches the guest OS of an EC2 instance?",
                    ("AWS", "The customer", "Nobody", "The ISP"),
                    1,
                    "The customer owns what runs inside the instance.",
                ),
            ),
        ),
    ),
    CourseSpec(
        slug="flutter-cross-platform-apps",
        title="Flutter Cross-Platform Apps",
        domain="mobile-development",
        instructor=INSTRUCTOR_EMAIL,
        price=Decimal("1199.00"),
        status="draft",
        description="One Dart code base for Android, iOS and the web.",
        modules=(
            _m(
                "Getting started",
                ("Installing Flutter", "Widgets"),
                ("Flutter apps are written in…", ("Kotlin", "Dart", "Swift", "Go"), 1, "Flutter uses Dart."),
            ),
        ),
    ),
    CourseSpec(
        slug="network-security-deep-dive",
        title="Network Security Deep Dive",
        domain="cybersecurity",
        instructor="fatima.sheikh@example.com",
        price=Decimal("1799.00"),
        status="rejected",
        description="Firewalls, VPNs, IDS and zero-trust network design.",
        modules=(
            _m(
                "Perimeter defence",
                ("Firewalls", "VPNs"),
                (
                    "Which device filters traffic by rules?",
                    ("Switch", "Firewall", "Hub", "Repeater"),
                    1,
                    "Firewalls apply rule sets.",
                ),
            ),
        ),
        rejection_reason="Please add hands-on lab exercises to each module and a subtitle file for every video.",
    ),
]

_SAMPLE_VIDEOS = (
    "BigBuckBunny.mp4",
    "ElephantsDream.mp4",
    "ForBiggerBlazes.mp4",
    "ForBiggerEscapes.mp4",
    "ForBiggerFun.mp4",
    "ForBiggerJoyrides.mp4",
    "ForBiggerMeltdowns.mp4",
    "Sintel.mp4",
    "TearsOfSteel.mp4",
)
VIDEO_BASE = "https://commondatastorage.googleapis.com/gtv-videos-bucket/sample/"
CDN_BASE = "https://cdn.desiredcareer.academy"


def lesson_urls(course_slug: str, module_position: int, lesson_position: int, index: int) -> dict[str, str]:
    """Video, materials and subtitle links of one lesson."""
    stem = f"{course_slug}/module-{module_position:02d}/lesson-{lesson_position:02d}"
    return {
        "video_url": VIDEO_BASE + _SAMPLE_VIDEOS[index % len(_SAMPLE_VIDEOS)],
        "materials_url": f"{CDN_BASE}/materials/{stem}.pdf",
        "subtitle_url": f"{CDN_BASE}/subtitles/{stem}.en.vtt",
    }


def module_questions(module: ModuleSpec, distractors: list[str]) -> list[tuple[str, list[str], int, str]]:
    """The module's hand-written question and two about its own curriculum (3 questions a module)."""
    question, options, correct, explanation = module.question
    covered = module.lessons[-1]
    topic_options = [covered, *distractors[:3]]
    first = module.lessons[0]
    order_options = list(reversed(module.lessons))
    return [
        (question, list(options), correct, explanation),
        (
            f"Which of these topics is covered in the module “{module.title}”?",
            topic_options,
            0,
            f"“{covered}” is one of this module's lessons.",
        ),
        (
            f"Which lesson opens the module “{module.title}”?",
            order_options,
            order_options.index(first),
            f"The module starts with “{first}”.",
        ),
    ]


FORUM_THREADS = [
    # (course slug, asker index into STUDENTS, title, body, [(replier: "instructor" or student index, body)])
    (
        "python-for-data-analysis",
        0,
        "Why does groupby drop my NaN keys?",
        "When I group by a column that has missing values, those rows disappear from the result. "
        "Is that expected, and how do I keep them?",
        [
            (2, "Yes, by default groupby drops NaN keys. Pass dropna=False to keep them as their own group."),
            ("instructor", "Exactly: df.groupby('city', dropna=False). We cover this in the grouping lesson too."),
        ],
    ),
    (
        "python-for-data-analysis",
        8,
        "Best way to read a 2 GB CSV?",
        "My laptop runs out of memory with read_csv. Any tips?",
        [
            (14, "Use chunksize= and process the file in pieces, or pick only the columns you need with usecols=."),
            (20, "Setting dtype= for each column also cuts memory a lot."),
        ],
    ),
    (
        "full-stack-web-development-with-django",
        1,
        "Migrations conflict after git pull",
        "Two of us added migrations to the same app and now migrate refuses to run. How do we fix it?",
        [
            ("instructor", "Run makemigrations --merge; it writes a merge migration that depends on both."),
            (5, "And agree on who creates migrations for an app to avoid it next time."),
        ],
    ),
    (
        "modern-javascript-and-react",
        10,
        "useEffect runs twice in development",
        "My fetch fires two times when the component mounts. Is my code wrong?",
        [
            (21, "That's React's StrictMode in development: it mounts, unmounts and mounts again to find bugs."),
        ],
    ),
    (
        "ethical-hacking-essentials",
        6,
        "Which lab VM should I start with?",
        "The lab lesson lists several vulnerable machines. Which one is best for a beginner?",
        [
            (11, "Start with DVWA: it has difficulty levels for each vulnerability."),
            (24, "Metasploitable 2 is good after that for network services."),
        ],
    ),
    (
        "docker-and-kubernetes-in-practice",
        3,
        "Image size is 1.2 GB",
        "My Python image is huge. How do I make it smaller?",
        [
            (9, "Use a slim base image and a multi-stage build so build tools stay out of the final image."),
        ],
    ),
]

# Reviews learners leave once they have done a lesson: (stars, text); picked deterministically per learner.
REVIEW_TEXTS = [
    (5, "Clear explanations and the quizzes make you actually practise. Worth every minute."),
    (4, "Well paced and practical. A few videos could be shorter, but I learned a lot."),
    (5, ""),
    (3, "Good content, though the middle modules move fast if you are new to the topic."),
    (4, "The projects tie everything together nicely."),
    (2, "Too much theory for me; I wanted more hands-on exercises."),
    (5, "Best course I have taken on this platform so far."),
    (4, ""),
]
# The demo student's own review of the course they completed, with the instructor's reply.
DEMO_REVIEW = (5, "I finished it in seven weeks and built my first React app. The hooks module is excellent.")
DEMO_REVIEW_REPLY = "Thank you, Ananya! Congratulations on finishing, and good luck with your next app."
# Courses the demo student saved for later (published, not enrolled).
DEMO_WISHLIST = ["machine-learning-foundations", "docker-and-kubernetes-in-practice"]

# Course announcements: (course slug, days ago, title, body), posted by the course's instructor.
ANNOUNCEMENTS = [
    (
        "python-for-data-analysis",
        6,
        "Live Q&A this Saturday",
        "Bring your pandas questions: we meet on Saturday at 11:00 IST. The link is in the course page.",
    ),
    (
        "python-for-data-analysis",
        1,
        "New practice notebook",
        "Module 3 now has a practice notebook on group-by and pivot tables. Try it before the quiz.",
    ),
    (
        "full-stack-web-development-with-django",
        3,
        "Deployment module updated",
        "The deployment lessons now cover Django 5.2 and PostgreSQL 16.",
    ),
]


def demo_coupons(paid_course: CourseSpec, now: datetime.datetime) -> list[tuple[dict, str]]:
    """Demo discount codes (field values for ``billing.services.coupon_create``) and who creates them."""
    return [
        ({"code": "WELCOME10", "discount_type": "percent", "value": Decimal("10"), "max_per_user": 1}, "admin"),
        (
            {
                "code": "LAUNCH200",
                "discount_type": "amount",
                "value": Decimal("200.00"),
                "max_redemptions": 50,
                "course_slugs": [paid_course.slug],
            },
            "instructor",
        ),
        (
            {
                "code": "DIWALI25",
                "discount_type": "percent",
                "value": Decimal("25"),
                "starts_at": now - datetime.timedelta(days=40),
                "ends_at": now - datetime.timedelta(days=25),
                "max_redemptions": 500,
            },
            "admin",
        ),
    ]
