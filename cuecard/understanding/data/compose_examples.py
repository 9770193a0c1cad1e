"""Compose ``training.tsv``: the project's own question and non-question examples.

Written by the Cuecard project from scratch (templates x slots, seeded, deterministic); none
of it comes from the evaluation lists in ``shared/data``. Run from the repository root::

    .venv/bin/python -m cuecard.understanding.data.compose_examples

Columns: ``text``, ``is_question`` (1/0), ``type`` (technical | behavioral | situational |
cultural, or ``none`` for non-questions), ``kind`` (what sort of negative it is).

Why templates: classes differ mostly in *how* something is asked (past experience, a
hypothetical, knowledge, motivation) and *about what* (people/process vs. a technical
subject). Crossing many lead-ins with many subjects from several professions teaches both
without memorising any one list of real questions.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

OUT = Path(__file__).with_name("training.tsv")
SEED = 20261125

# ----------------------------------------------------------------------------- spoken style
OPENERS = [
    "", "", "", "", "", "So, ", "Okay, so ", "Um, ", "So, um, ", "Alright. ", "Great. So ",
    "Right, so ", "Okay. ", "Cool. ", "Let me ask you this: ", "Next one. ", "I'm curious, ",
    "Moving on, ", "Thanks for that. ", "Uh, ", "Let's switch gears. ", "Okay, next question. ",
    "Perfect. ", "And then, ", "Sure. So ", "Good. Now ", "Mm-hmm. So ", "Got it. ",
]
CLOSERS = [
    "", "", "", "", "", "", " Take your time.", " Feel free to think for a second.",
    " Whatever comes to mind.", " Any example is fine.", " Just roughly.",
    " No wrong answers here.", " Go ahead.",
]

# ----------------------------------------------------------------------------- technical
TECH_CONCEPTS = [
    # software
    "closures in JavaScript", "the event loop", "a hash table", "database indexing", "garbage collection",
    "dependency injection", "the CAP theorem", "eventual consistency", "a race condition", "a deadlock",
    "memoization", "recursion", "a binary search tree", "big O notation", "polymorphism", "inheritance versus composition",
    "REST", "GraphQL", "a message queue", "a load balancer", "a reverse proxy", "caching with Redis",
    "a CDN", "CORS", "the TLS handshake", "DNS resolution", "OAuth", "a JSON web token", "SQL injection",
    "cross-site scripting", "a Docker container", "a Kubernetes pod", "infrastructure as code", "a CI pipeline",
    "blue-green deployment", "feature flags", "a mutex", "a semaphore", "thread pools", "async and await in Python",
    "Python decorators", "generators in Python", "the virtual DOM", "React hooks", "server-side rendering",
    "CSS specificity", "flexbox", "the box model", "prototypal inheritance", "hoisting in JavaScript",
    "promises", "a linked list", "a heap", "dynamic programming", "a trie", "consistent hashing",
    "database sharding", "read replicas", "an ORM", "database normalization", "ACID transactions",
    "isolation levels", "a B-tree", "TCP", "UDP", "HTTP/2", "websockets", "gRPC", "idempotency in APIs",
    "rate limiting", "circuit breakers", "a microservice architecture", "event sourcing", "CQRS",
    "unit testing", "mocking", "test-driven development", "code coverage", "static typing", "type inference",
    "memory leaks", "pointers in C", "stack versus heap memory", "virtual memory", "a process versus a thread",
    "git rebase", "a merge conflict", "semantic versioning",
    # data
    "overfitting", "regularization", "L1 regularization", "cross-validation", "gradient descent",
    "the bias-variance tradeoff", "precision and recall", "the F1 score", "an ROC curve", "logistic regression",
    "a random forest", "gradient boosting", "k-means clustering", "principal component analysis",
    "a confusion matrix", "class imbalance", "feature scaling", "one-hot encoding", "word embeddings",
    "attention in transformers", "batch normalization", "dropout", "a learning rate schedule",
    "backpropagation", "a convolutional layer", "transfer learning", "an A/B test", "a p-value",
    "a confidence interval", "statistical power", "the central limit theorem", "Bayes' theorem",
    "a window function in SQL", "a left join", "a star schema", "an ETL pipeline", "data drift",
    "a time series forecast", "stationarity", "a recommender system", "collaborative filtering",
    "data leakage", "hyperparameter tuning", "early stopping",
    # product / sales / ops
    "the RICE prioritization framework", "a north star metric", "a product requirements document",
    "cohort retention analysis", "a conversion funnel", "net promoter score", "jobs to be done",
    "MEDDIC qualification", "BANT", "a sales pipeline forecast", "customer lifetime value",
    "customer acquisition cost", "churn rate", "annual recurring revenue", "a go-to-market plan",
    "OKRs", "a RACI matrix", "critical path scheduling", "earned value management", "lean inventory",
    "six sigma", "a service level agreement",
    # nursing / health
    "sepsis screening", "medication reconciliation", "an SBAR handoff", "the five rights of medication administration",
    "a Glasgow Coma Scale assessment", "pressure ulcer staging", "sterile technique", "fall risk assessment",
    "insulin sliding scales", "triage categories", "contact precautions", "a fluid balance chart",
    "informed consent", "HIPAA",
    # finance / accounting
    "a discounted cash flow model", "WACC", "EBITDA", "working capital", "accrual accounting",
    "deferred revenue", "the three financial statements", "bond duration", "an interest rate swap",
    "hedging currency risk", "a leveraged buyout", "enterprise value", "goodwill impairment",
    "a variance analysis", "a reconciliation", "Value at Risk", "depreciation methods",
    # teaching / education
    "formative assessment", "summative assessment", "differentiated instruction", "Bloom's taxonomy",
    "scaffolding", "backward design", "an individualized education program", "restorative practices",
    "project-based learning", "universal design for learning", "a rubric", "phonics instruction",
    # other trades
    "load calculations for a circuit", "a structural load path", "critical control points in a kitchen",
    "chain of custody", "a root cause analysis", "the five whys",
]
TECH_PAIRS = [
    ("a process", "a thread"), ("TCP", "UDP"), ("SQL", "NoSQL databases"), ("REST", "GraphQL"),
    ("let", "var in JavaScript"), ("an abstract class", "an interface"), ("a list", "a tuple in Python"),
    ("merge", "rebase"), ("authentication", "authorization"), ("horizontal", "vertical scaling"),
    ("a stack", "a queue"), ("an array", "a linked list"), ("unit tests", "integration tests"),
    ("cookies", "local storage"), ("a monolith", "microservices"), ("synchronous", "asynchronous code"),
    ("Docker", "a virtual machine"), ("optimistic", "pessimistic locking"), ("inner", "outer joins"),
    ("L1", "L2 regularization"), ("bagging", "boosting"), ("precision", "recall"),
    ("supervised", "unsupervised learning"), ("a type one error", "a type two error"),
    ("classification", "regression"), ("batch", "stream processing"), ("a data lake", "a data warehouse"),
    ("mean", "median"), ("correlation", "causation"), ("grid search", "random search"),
    ("Adam", "plain SGD"), ("a KPI", "an OKR"), ("a lead", "an opportunity"), ("gross margin", "net margin"),
    ("cash", "accrual accounting"), ("FIFO", "LIFO inventory"), ("a stock", "a bond"),
    ("formative", "summative assessment"), ("palliative", "hospice care"), ("type one", "type two diabetes"),
    ("systolic", "diastolic pressure"), ("enterprise value", "equity value"), ("CSS grid", "flexbox"),
    ("server-side", "client-side rendering"), ("a foreign key", "a primary key"), ("a view", "a materialized view"),
]
TECH_TASKS = [
    "design a URL shortener", "design a rate limiter", "design a chat system", "design a news feed",
    "reverse a linked list", "find duplicates in a large file", "detect a cycle in a graph",
    "implement an LRU cache", "implement debounce in JavaScript", "build a REST API for a todo app",
    "scale a read-heavy database", "speed up a slow SQL query", "reduce the bundle size of a web app",
    "find a memory leak in a Node service", "debug a flaky test", "profile a slow Python function",
    "migrate a database schema with zero downtime", "secure an internal API", "store passwords safely",
    "handle retries in a payment system", "deduplicate events in a stream", "paginate a large result set",
    "make a website accessible", "optimize images on a landing page", "test a React component",
    "set up monitoring for a new service", "roll back a bad deployment", "structure a monorepo",
    "handle missing values in a dataset", "choose features for a churn model", "evaluate a ranking model",
    "detect outliers in sensor data", "deal with imbalanced classes", "pick the number of clusters",
    "design an experiment to test a new checkout flow", "build a dashboard for weekly active users",
    "forecast demand for next quarter", "validate a forecasting model", "build a data pipeline from Kafka to a warehouse",
    "calculate a drip rate for an IV infusion", "assess a patient with chest pain", "prevent a central line infection",
    "prioritize patients in a busy emergency department", "value a company with no profits",
    "build a three statement model", "calculate free cash flow", "reconcile a bank statement",
    "plan a lesson for mixed ability learners", "assess reading fluency", "structure a unit on fractions",
    "qualify an inbound lead", "build a territory plan", "forecast a quarter's bookings",
    "size the market for a new product", "define success metrics for a feature launch",
    "write a SQL query for the second highest salary", "find the top ten users by revenue in SQL",
    "parse a log file and count errors", "merge two sorted arrays", "check if a string is a palindrome",
]
TECH_EVENTS = [
    "you type a URL into a browser and press enter", "a database transaction deadlocks", "a container runs out of memory",
    "you call a method on a null reference", "two threads write to the same variable", "the learning rate is too high",
    "two input features are almost perfectly correlated", "a hash table gets too full", "a TCP packet is lost",
    "a cache entry expires under heavy load", "you have more features than training examples", "a large table has no index on the join column",
    "a patient's potassium level is too high", "interest rates rise and you hold a long-term bond", "a company issues new shares",
    "a promise is rejected and nobody catches it", "you push to a branch that someone else rebased", "a message is delivered twice",
    "the primary database fails over to a replica", "you forget to scale your inputs before gradient descent",
    "you run a query inside a loop over ten thousand rows", "the validation loss goes up while training loss goes down",
    "a child's blood sugar drops during class", "a customer pays an invoice twice", "a dependency releases a breaking change",
]
TECH_EVENT_TEMPLATES = [
    "What happens when {e}?", "What happens if {e}?", "Walk me through what happens when {e}.",
    "Explain what happens when {e}.", "What goes on under the hood when {e}?", "What would you expect to happen if {e}?",
    "What's the effect when {e}?", "How does the system behave when {e}?",
]
TECH_TEMPLATES = [
    "What is {c}?", "What's {c}?", "Can you explain {c}?", "Could you explain {c} to me?", "Explain {c}.",
    "How does {c} work?", "Describe {c}.", "Walk me through {c}.", "What do you know about {c}?",
    "Tell me about {c}.", "When would you use {c}?", "Why would you use {c}?", "What are the tradeoffs of {c}?",
    "What are the pros and cons of {c}?", "What problems does {c} solve?", "How would you explain {c} to a new hire?",
    "Have you worked with {c}? How did you use it?", "Do you know how {c} works?", "What is {c} used for?",
    "Can you give me an example of {c}?", "I'd like you to explain {c}.", "Talk me through {c}.",
    "What are common pitfalls with {c}?", "How would you define {c}?", "What's the purpose of {c}?",
    "What is {c} and why does it matter?", "Can you tell me what {c} is, and when you'd reach for it?",
    "What is {c}? When should you use it?", "How is {c} implemented under the hood?",
    "What are the limitations of {c}?", "In your own words, what is {c}?",
]
TECH_PAIR_TEMPLATES = [
    "What's the difference between {a} and {b}?", "What is the difference between {a} and {b}?",
    "Compare {a} and {b}.", "How does {a} differ from {b}?", "When would you choose {a} over {b}?",
    "Can you explain the difference between {a} and {b}?", "{A} versus {b}: which would you pick and why?",
    "Explain the difference between {a} and {b}.", "Why would someone use {a} instead of {b}?",
    "What are the differences between {a} and {b}, and when does it matter?",
]
TECH_TASK_TEMPLATES = [
    "How would you {t}?", "How do you {t}?", "Walk me through how you would {t}.", "Can you {t}?",
    "Write a function to {t}.", "Show me how you'd {t}.", "What steps would you take to {t}?",
    "How would you approach the problem: {t}?", "Let's say you need to {t}. How would you do it?",
    "What's your approach to {t}?", "How would you go about it if you had to {t}?",
    "Describe how you would {t}.", "If you had to {t}, what would you do first?",
    "What tools would you use to {t}?", "Explain how you would {t}.", "Can you sketch out how to {t}?",
]

# ----------------------------------------------------------------------------- behavioral
EXPERIENCES = [
    "had a conflict with a coworker", "disagreed with your manager", "missed a deadline", "made a mistake at work",
    "received critical feedback", "led a team through a difficult project", "influenced someone without authority",
    "dealt with a difficult customer", "had to learn a new skill quickly", "went above and beyond",
    "failed at something important", "juggled several competing priorities", "persuaded stakeholders to change course",
    "mentored a junior colleague", "improved a process on your team", "made a decision with incomplete information",
    "had to deliver bad news", "took ownership of a problem nobody wanted", "worked with a difficult teammate",
    "changed your mind after hearing feedback", "handled a crisis", "pushed back on a request",
    "had to say no to a stakeholder", "resolved a disagreement within your team", "worked under a lot of pressure",
    "showed leadership without a title", "took a calculated risk", "simplified something complicated",
    "had to adapt to a big change", "earned the trust of a skeptical colleague", "dealt with ambiguity",
    "managed an underperforming team member", "handled a conflict between two people on your team",
    "had to prioritize between two urgent tasks", "made an unpopular decision", "recovered from a setback",
    "found and fixed a serious problem before anyone noticed", "gave difficult feedback to a peer",
    "worked with a team across time zones", "onboarded into a new team quickly", "cut scope to ship on time",
    "dealt with an upset patient or family member", "advocated for a patient", "caught a medication error",
    "closed a difficult deal", "lost a big client", "turned around an unhappy account",
    "found an error in a financial report", "handled a tight month-end close", "supported a struggling student",
    "dealt with a disruptive student", "worked with a frustrated parent", "had to explain something technical to a non-technical audience",
    "introduced a new tool to your team", "disagreed with a product decision", "owned a production incident",
    "balanced quality against speed", "had to meet a very tight deadline", "volunteered for something outside your role",
]
PAST_SUPERLATIVES = [
    "the most challenging project you've worked on", "the hardest bug you've ever fixed", "the biggest mistake you've made in your career",
    "a project you're most proud of", "the most difficult decision you've made at work", "the toughest feedback you've received",
    "the best team you've been part of", "the worst project you've been on", "a time you failed",
    "the most complex system you've built", "your biggest accomplishment in your last role",
    "a goal you set and achieved", "a conflict you handled well", "a conflict you handled badly",
    "the most difficult patient you've cared for", "the largest deal you've closed", "a lesson you learned the hard way",
    "the most difficult stakeholder you've worked with", "a recent project you led", "an initiative you started",
    "a time your work had a big impact", "something you built that didn't work out",
    "a product you shipped recently",
    "the project you're working on right now", "the hardest part of your current job", "the biggest challenge in your current role",
    "a feature you owned end to end", "a side project you've built", "something new you learned at your last job",
    "a process you changed at your last company",
    "the biggest risk you've taken at work", "a time you had to work with very little guidance",
    "the most stressful week you've had at work", "the riskiest change you've pushed to production",
    "a recent mistake and what you learned from it", "the last thing you taught a colleague", "a hard conversation you've had with a client",
]
BEHAV_TEMPLATES = [
    "Tell me about a time when you {e}.", "Tell me about a time you {e}.", "Describe a situation where you {e}.",
    "Give me an example of a time you {e}.", "Can you share an experience where you {e}?",
    "Have you ever {e}? What happened?", "Walk me through a time you {e}.", "Talk about a time you {e}.",
    "I'd love to hear about a time you {e}.", "Think of a time you {e}. What did you do?",
    "Can you tell me about a time you {e}, and how you handled it?", "Share an example of when you {e}.",
    "When was the last time you {e}?", "Describe a time you {e}. What was the outcome?",
    "What did you do the last time you {e}?", "Give me a specific example of when you {e}.",
    "Can you recall a time you {e}? Walk me through it.", "Tell us about an occasion when you {e}.",
    "How did you handle it when you {e}?", "Could you describe a moment when you {e}?",
    "I want to hear about a time that you {e}. What was the situation and what did you do?",
]
BEHAV_SUPER_TEMPLATES = [
    "Tell me about {s}.", "What was {s}?", "What's {s}?", "Describe {s}.", "Walk me through {s}.",
    "Can you tell me about {s}?", "I'd like to hear about {s}.", "What is {s}, and what made it hard?",
    "Talk me through {s} and your role in it.", "Share {s} with me.",
]
BEHAV_EXTRA = [
    "How have you handled criticism of your work in the past?", "How did you deal with a manager you didn't get along with?",
    "How have you handled disagreements with coworkers?", "How did you handle your heaviest workload?",
    "What did you learn from your last project?", "What did you do when your project lost its funding?",
    "How did you get buy-in for your last big proposal?", "What happened the last time you missed a target?",
    "How did you handle the transition when your team was reorganized?", "What's an example of feedback you acted on?",
    "How did you win over a team that didn't want to change?", "Have you led a project from start to finish?",
    "Have you managed people before? How did it go?", "How did you handle a colleague who took credit for your work?",
    "How did you prioritize when everything was urgent at your last job?",
    "What steps did you take the last time a customer escalated an issue to you?",
    "What was the outcome the last time you challenged a decision?",
    "Have you ever had to fire someone or let someone go? How did you approach it?",
    "What projects have you worked on recently?", "What are you working on at the moment?", "What have you shipped in the last year?",
    "What did you learn in your last role?", "How do you usually handle conflict with teammates?",
    "How do you typically deal with a difficult stakeholder?", "How do you usually respond when your code gets heavy criticism?",
    "What kind of projects have you led?", "Which of your projects are you proudest of, and why?", "What's something you built that you're proud of?",
    "What was your role on your last team?", "What did your last performance review say?",
    "What was the most difficult deadline you've faced?",
    "Have you mentored anyone? How did that go?",
    "How did you grow in your last position?", "What went wrong on your last project?", "How have you handled a patient who would not cooperate?",
    "How have you dealt with a student who kept missing class?", "What's the biggest deal you've lost, and why?",
]

# ----------------------------------------------------------------------------- situational
SCENARIOS = [
    "a teammate isn't pulling their weight", "your manager asks you to do something you think is unethical",
    "you realize you're going to miss a deadline", "two stakeholders give you conflicting requirements",
    "a customer threatens to cancel their contract", "you discover a colleague has been falsifying data",
    "you disagree with a decision your team has already made", "you're given a task with no clear instructions",
    "a patient refuses their medication", "a parent complains about their child's grade",
    "a senior leader rejects your recommendation in a meeting", "you're assigned to a project using a technology you don't know",
    "three urgent requests land on your desk at the same time", "a new hire on your team is struggling",
    "your team lead is consistently unavailable", "you find a serious mistake in work that has already shipped",
    "a coworker keeps interrupting you in meetings", "a client asks for something outside the scope of the contract",
    "your budget is cut in half halfway through a project", "you're asked to cover for a colleague's mistake",
    "a colleague takes credit for your idea", "two of your direct reports are in constant conflict",
    "you strongly disagree with your manager's priorities", "a key team member quits right before a launch",
    "you're working on a team where nobody follows the agreed process", "a customer is yelling at you on the phone",
    "you notice a peer cutting corners on safety", "a family member demands information about a patient",
    "a student accuses you of being unfair", "a vendor misses a critical delivery date",
    "your project sponsor keeps changing the requirements", "you're asked to give an estimate you know is unrealistic",
    "you join a team and the previous person left no documentation", "a teammate disagrees with every suggestion you make",
    "you have to choose between helping a colleague and finishing your own work",
    "a stakeholder wants a feature you think will hurt users", "you overhear a colleague making an offensive joke",
    "your manager gives you feedback you believe is unfair", "you're leading a meeting and it goes off track",
    "a doctor gives an order you think is unsafe", "a prospect says your price is too high",
    "the team misses its sprint goal two times in a row", "a remote teammate stops responding to messages",
    "you're promoted to lead your former peers",
    "you join a project and the team's coding conventions are very different from yours",
    "a teammate wants to rewrite a stable service in a language nobody else knows",
    "your code review comments keep getting ignored", "you inherit a codebase with no tests and a deadline next week",
    "a senior engineer insists on a design you think won't scale", "you're asked to ship a feature you believe has a security hole",
    "on your first day the build is broken and nobody is around", "the team picks a framework you think is the wrong choice",
    "a product manager wants to skip testing to hit a date", "you and another engineer both want to own the same project",
    "you realize the data in a report your boss already presented was wrong", "a client insists on a tool you've never used",
    "you started here and saw a process that was clearly broken",
    "the night shift leaves you with a ward full of unfinished tasks", "a student's parent emails you angrily late at night",
    "a sales rep on your team promises a customer a feature that doesn't exist",
    "you get two job offers from teams inside the same company", "the person training you teaches you a process that breaks policy", "you are asked to take over a failing project",
    "your first week on the job and you're handed an angry client", "a junior colleague makes a mistake that affects a customer",
]
SITUATIONAL_NP = [
    "a teammate who misses every deadline", "a manager who micromanages you", "a customer who wants a refund you can't give",
    "conflicting priorities from two directors", "a project that is falling behind schedule", "an employee who is always late",
    "a colleague who doesn't share information", "a stakeholder who ignores your emails", "an angry patient in the waiting room",
    "a classroom where half the students are disengaged", "a client who keeps changing their mind",
    "a team that resists a new process", "pressure to cut corners before a deadline", "a disagreement about the design with a senior engineer",
]
SIT_TEMPLATES = [
    "What would you do if {s}?", "Imagine {s}. How would you handle it?", "Suppose {s}. What would you do?",
    "How would you handle it if {s}?", "If {s}, how would you respond?", "Let's say {s}. What's your next step?",
    "Say {s}. How do you handle that?", "How would you react if {s}?", "Picture this: {s}. What do you do?",
    "Hypothetically, if {s}, what would you do?", "What would your approach be if {s}?",
    "Imagine that {s}. Walk me through what you'd do.", "If {s}, what steps would you take?",
    "Assume {s}. How would you deal with it?", "If {s}, how would you handle this situation?",
    "Let's say {s}. How would you handle the situation?", "What would you do, if {s}?", "What would you say if {s}?", "How would you proceed if {s}?",
    "Let's imagine {s}. What would you do first?", "So, hypothetically, {s}. How do you respond?",
    "If you found out that {s}, what would you do?",
]
SIT_NP_TEMPLATES = [
    "How would you handle {n}?", "How would you deal with {n}?", "What would you do about {n}?",
    "How would you approach {n}?", "How would you manage {n}?", "What's your approach if you're faced with {n}?",
]

# ----------------------------------------------------------------------------- cultural
CULTURAL = [
    "Why do you want to work here?", "Why are you interested in this role?", "Why do you want to join our company?",
    "Where do you see yourself in five years?", "Where do you want to be in three years?", "What are your career goals?",
    "What motivates you?", "What gets you out of bed in the morning?", "What are your greatest strengths?",
    "What's your biggest weakness?", "What would your manager say about you?", "How would your coworkers describe you?",
    "How would your friends describe you?", "What kind of work environment do you thrive in?",
    "What do you value most in a manager?", "Why are you leaving your current job?", "Why did you leave your last position?",
    "What do you know about our company?", "What part of our mission resonates with you?", "What makes you a good fit for this team?",
    "Why should we hire you?", "What are you passionate about?", "What do you do outside of work?",
    "What frustrates you at work?", "What does success mean to you?", "What kind of culture do you do your best work in?",
    "What are you looking for in your next role?", "What excites you about this position?", "How do you stay current in your field?",
    "What are your salary expectations?", "If you could have any job in the world, what would it be?",
    "What's the best book you've read recently?", "What do you enjoy most about your work?", "What do you like least about your current role?",
    "Tell me about yourself.", "Tell me a little bit about yourself.", "Walk me through your background.",
    "What are three words that describe you?", "What are you most proud of?", "How do you define a great team?",
    "What kind of manager brings out the best in you?", "What would you like to learn in the next year?",
    "How do you like to receive feedback?", "What does a good day at work look like for you?",
    "What values are most important to you in a workplace?", "What drew you to nursing?", "Why did you become a teacher?",
    "Why did you choose a career in finance?", "What do you love about sales?", "Why product management?",
    "What got you into software engineering?", "Why data science?", "What's your dream job?",
    "How do you measure your own success?", "What's something you want to get better at?", "What are your hobbies?",
    "What kind of impact do you want to have?", "How do you handle stress and pressure?", "What does work-life balance mean to you?",
    "What do you expect from your colleagues?", "Are you more of a leader or a team player?",
    "Do you prefer working alone or on a team?", "What type of projects energize you?", "What is your leadership style?",
    "What is your management philosophy?", "What is your communication style?", "What are you hoping to get out of this role?",
    "Why is this the right next step in your career?", "What would you want to accomplish in your first ninety days?",
    "Where do you see your career heading?", "What do you think makes someone successful here?",
    "If you weren't doing this, what would you be doing?", "Who has had the biggest influence on your career?",
    "What is the most important thing you're looking for in a company?", "What would make you leave a job?",
    "How do you think your last manager would rate you?", "What are you better at than most people?",
    "What do people often misunderstand about you?", "What kind of team culture do you want to help build?",
    "What do you find most rewarding about your profession?", "What is a cause you care deeply about?",
    "What do you think of our product?", "What would you change about our app if you could?",
    "How does this role fit into your long-term plans?", "What are you reading or learning right now?",
    "How do you keep yourself motivated on boring tasks?", "What kind of recognition matters to you?",
    "What's your ideal team size?", "Do you see yourself as more of a generalist or a specialist?",
    "What are your expectations for this role?", "If you could master one skill this year, what would it be?",
    "What's a belief you hold that most people disagree with?", "If you could travel anywhere, where would you go?",
    "What is your superpower at work?", "What energizes you and what drains you?", "What does integrity mean to you?",
    "How important is diversity and inclusion to you?", "Why our company rather than one of our competitors?",
    "What do you want your next manager to know about you?", "How would you describe your ideal workplace?",
    "What are you looking for in terms of growth?", "What are your long-term aspirations?",
    "If you won the lottery tomorrow, would you keep working?",
    "If money were no object, what would you spend your time on?", "If you could have dinner with anyone, who would it be?",
    "What's the best advice you've ever been given?", "What's the most memorable trip you've taken?",
    "Who is a leader you admire, and why?", "What's your favorite product and why?",
    "What's your favorite part of our app?", "Have you used our product? What did you think?",
    "What's something that annoys you that most people don't notice?",
    "How would you rate your own work last year?",
    "What does teamwork mean to you?", "What does customer service mean to you?", "What does good leadership mean to you?",
    "What is something most people don't know about you?", "What's a hobby you could talk about for hours?",
    "What's something you changed your mind about recently?", "What do you want to be known for?",
    "What are you hoping your next manager will help you with?", 
    "What makes you unique compared to other candidates?", "What would your last team miss about you?",
    "What's the most important lesson your career has taught you so far?",
    "If you could live in any city for a year, which one would you pick?", "What's a skill you'd love to learn just for fun?",
    "What would you do with a whole year off?", "If you could try a different career for a week, what would it be?",
    "What's the most interesting thing you've read lately?", "What would your perfect weekend look like?",
    "Which fictional character do you relate to the most?", "What's a small thing that makes your day better?",
    "If you could instantly become an expert in something, what would you choose?", "What would you put on a billboard if you had one?",
    "What's your favorite way to spend a Sunday?", "If you started a company tomorrow, what would it do?",
    "What do you think sets us apart from our competitors?", "Which of our products have you tried, and what did you think?",
    "What do you think is our biggest challenge as a company?", "What would you tell a friend about our company?",
    "What part of our values speaks to you?", "How would you explain what we do to your grandmother?",
    "What does a healthy workplace look like to you?", "What do you want out of your career ten years from now?",
    "What kind of person do you work best with?", "What do you think you'd bring to our culture?",
    "How would you describe your personality in a few words?", "What's the biggest thing you're trying to improve about yourself?", "What's your favorite thing about working in healthcare?",
    "What did you enjoy most about your last job?", "How do you define professional growth?",
]
CULTURAL_TEMPLATES = [
    "{q}", "{q}", "{q}", "{q} Be honest.", "{q} I'm really curious.", "Okay, so {ql}", "And {ql}",
    "I want to understand you a bit better. {q}", "Let's talk about you. {q}", "So, um, {ql}",
    "Before we get into the technical stuff, {ql}", "Just to get to know you, {ql}",
]

# ----------------------------------------------------------------------------- negatives
COMPANY = [
    "our team works on the payments platform", "we're a team of about twelve engineers", "the role reports to the director of nursing",
    "we mostly use Python and Postgres", "we ship to production several times a day", "we're a remote-first company",
    "the team was founded about two years ago", "we're growing pretty quickly this year", "this position is on the growth team",
    "we have an on-call rotation every six weeks", "the unit has thirty-two beds", "our classes are usually around twenty-five students",
    "we cover the enterprise segment in the northeast", "the finance team closes the books in five days",
    "the next step would be a technical interview", "after this you'll meet with the hiring manager",
    "we'll leave about ten minutes at the end for your questions", "I'll start with a few questions about your background",
    "the process usually takes about three weeks", "I've been here for about four years", "I lead the data platform team",
    "our customers are mostly mid-sized retailers", "we just raised our series B", "the team sits mostly in Berlin and Lisbon",
    "we use Kubernetes for most of our services", "we're migrating off our old monolith", "the product is used by about two million people",
    "we do quarterly planning with OKRs", "most of the work is greenfield right now", "the hospital is a level one trauma center",
    "we follow a pretty lightweight agile process", "we pair a lot on this team", "our sales cycle is about three months",
    "you'd be working closely with design and research", "we have a strong mentorship program", "benefits start on day one",
    "the interview will be about forty-five minutes", "I'm going to share my screen in a second", "I'll be taking some notes as we go",
    "we'll do a short coding exercise after this", "there's no right or wrong answer in this part", "I'm the engineering manager for the team",
    "I'll tell you a little about the role first", "this is mostly a conversation, nothing formal",
]
# Said around a question but not part of it: where the question ends.
REMARKS = [
    "Take your time.", "Take a moment if you need it.", "No rush.", "There's no right answer.", "Whenever you're ready.",
    "Feel free to take notes.", "Think out loud if you like.", "It can be from any job.", "It doesn't have to be work related.",
    "Keep it to a couple of minutes.", "I'll give you a minute.", "Just a high level is fine.", "Go for it.",
]
ACKS = [
    "Great, thanks.", "Thanks for sharing that.", "That makes sense.", "Okay, interesting.", "Got it.", "Mm-hmm.", "Right.",
    "Sure.", "Perfect.", "That's a great answer.", "Okay, cool.", "Nice.", "Fair enough.", "Understood.", "Interesting, okay.",
    "Yeah, that's really helpful.", "Thank you.", "Awesome.", "Alright.", "I see.", "Okay.", "Yeah.", "Good example.",
    "Love that.", "That's really interesting.", "Totally.", "Yep, yep.", "Makes sense, thank you.", "Okay, let me note that down.",
    "Cool, cool.", "Good, that's what I was looking for.", "That's fair.", "Hmm, okay.", "Right, right.",
]
SMALL_TALK = [
    "Hi, thanks for joining today.", "Nice to meet you.", "How are you doing today?", "Can you hear me okay?", "Can you see my screen?",
    "How's your day going so far?", "Sorry, I'm running a couple minutes late.", "Let me just find the link.", "Give me one second.",
    "Oh, I think you're on mute.", "Sorry, you cut out for a second.", "The weather's been crazy this week.", "Did you have any trouble finding the office?",
    "Can I get you some water?", "Is the audio okay on your end?", "Thanks so much for your time today.", "It was great talking to you.",
    "We'll be in touch by the end of the week.", "Have a great rest of your day.", "Let me just pull up your resume.",
    "Hang on, my camera froze.", "Hello, hello.", "Good morning.", "Good afternoon, thanks for coming in.", "Sorry about the background noise.",
    "Are you ready to get started?", "Shall we get started?", "Did you get the calendar invite?", "Is now still a good time?",
    "How was your weekend?", "Could you repeat that last part?", "Sorry, could you say that again?", "Can you speak up a little?",
]
ANSWERS = [
    "I think the main difference is that a process has its own memory space while threads share it.",
    "In my last role I led a migration from our old monolith to a set of smaller services.",
    "So what I did was I set up a one-on-one with him to understand what was going on.",
    "That's a good question. I would probably start by looking at the logs.",
    "When I worked at the hospital we had a patient who refused all of his evening medications.",
    "I usually start by clarifying the requirements with the stakeholders.",
    "Honestly, I'm really excited about the mission of the company.",
    "We ended up shipping two weeks late, but the quality was much better.",
    "I learned that it's important to communicate early when things slip.",
    "A closure is basically a function that remembers the variables from where it was defined.",
    "My biggest strength is probably that I stay calm under pressure.",
    "I'd say my manager would describe me as reliable and curious.",
    "We used a random forest first and then moved to gradient boosting.",
    "I checked the medication against the chart and called the pharmacist right away.",
    "The deal was stuck for about three months until I found the real decision maker.",
    "I reorganized the lesson so that the students worked in small groups.",
    "First, I would make sure everyone agrees on what the problem actually is.",
    "So, um, basically I was the only engineer on that project for a while.",
    "Yeah, so at my previous company I was responsible for the billing system.",
    "I reconciled every account line by line and found the missing transfer.",
    "The result was a thirty percent drop in support tickets.",
    "I think I'd push back, but respectfully, and bring data to the conversation.",
    "I really enjoy working with people who challenge my ideas.",
    "In five years I see myself leading a small team.",
    "We measured success by the retention rate after thirty days.",
    "The index made the query go from four seconds to about fifty milliseconds.",
    "I wrote a script that parsed the logs and grouped the errors by type.",
    "I've been a nurse for six years, mostly in the cardiac unit.",
    "My background is mostly in B2B sales, selling to finance teams.",
    "I'm currently a senior analyst at a regional bank.",
]
NARRATIVE_SUBJ = [
    "the old man", "the young woman", "the captain", "the farmer's wife", "a tall stranger", "the little girl", "the doctor",
    "her brother", "the king", "the soldiers", "the children", "my uncle", "the merchant", "the widow", "the priest",
    "the boy", "our guide", "the lady in grey", "the innkeeper", "the sailors", "mister brown", "missus harding", "the squire",
]
NARRATIVE_VERB = [
    "walked slowly down the lane toward the mill", "looked out over the grey and restless sea", "had never seen such a crowd in the village",
    "sat by the fire and said nothing for a long while", "rode through the forest until the light began to fail",
    "remembered the house where she had been born", "laid the letter on the table and turned away", "knew that the winter would be long",
    "climbed the hill above the river at dawn", "found the door of the cottage standing open", "spoke in a low and trembling voice",
    "gathered the flowers that grew along the wall", "watched the ships come into the harbour", "seemed much surprised at the news",
    "returned to the city after many years abroad", "could hear the bells of the church across the valley",
    "had lived in that house for nearly forty years", "went up the stairs without a word", "stood at the gate and waited for the carriage",
    "told them the story of the great flood", "lingered in the hall long after the others left", "thought of home and of the fields in summer",
]
NARRATIVE_FIXED = [
    "Chapter three. The storm.", "Chapter twelve. A journey by night.", "Book the second. The return.", "Part one. The house on the hill.",
    "It was a bright cold day in early spring.", "The road wound on between the hedges for many miles.", "Nobody in the town knew where he had come from.",
    "How strange it all seemed to her now.", "What a fine morning it was.", "When the rain stopped, the whole valley shone.",
    "Where the river bends there stands an old grey mill.", "Why, it was the very thing she had wanted all along.",
    "If you have ever walked along that shore in autumn, you will remember the wind.", "Who could have guessed what lay behind the door.",
    "How the wind howled that night around the chimney.", "What a long way it was to the sea.", "Do as you are told, said the old woman.",
    "Tell no one what you have seen here tonight, he whispered.", "Describe it as he might, no one believed him.",
    "Consider the lilies of the field, how they grow.", "And so the years went by, one after another.",
    "Then the little company set out again across the moor.", "There was once a miller who had three sons.",
    "Whatever the cause, the result was the same.", "Whenever she thought of it, she smiled.", "However hard he tried, the door would not open.",
    "Explain it how you will, the fact remains.", "Which way the road turned, none of them could say.",
    "Can it be that the summer is already over, she thought, and sighed.", "What he said to her that evening she never repeated.",
    "How long they stayed there no one remembered.", "When at last the morning came, the ship was gone.",
    "Tell me, said the king, and the room fell silent.", "Is it not a fine thing to be young, he said, laughing.",
]
NARRATIVE_TAILS = [
    "", "", " and the night grew colder", ", for the hour was late", " while the others slept", " as the sun went down",
    ", and no one followed", " in the year of the great frost", " without once looking back", ", as was his custom",
]


def _lower_first(text: str) -> str:
    keep = text.startswith(("I ", "I'")) or text[:2].isupper()  # "I'd…", "SQL…" keep their case
    return text[:1].lower() + text[1:] if text and not keep else text


def spoken(text: str, rng: random.Random, opener=True, closer=False) -> str:
    """Wrap a question in spoken-style openers and the odd disfluency. Closing remarks
    ("Take your time.") are not appended by default: the detector scores sentence by
    sentence, and a remark after a question must read as what it is, a non-question."""
    out = text
    if opener:
        o = rng.choice(OPENERS)
        if o:
            out = o + (_lower_first(out) if not o.endswith(". ") and not o.endswith(": ") else out)
    if closer:
        out = out + rng.choice(CLOSERS)
    if rng.random() < 0.08:
        words = out.split()
        if len(words) > 4:
            i = rng.randrange(1, len(words) - 1)
            words.insert(i, rng.choice(["um,", "uh,", "like,", "you know,", "I mean,"]))
            out = " ".join(words)
    return out


def technical(rng: random.Random) -> list[str]:
    out = []
    for c in TECH_CONCEPTS:
        for t in rng.sample(TECH_TEMPLATES, 2):
            out.append(spoken(t.format(c=c), rng))
    for a, b in TECH_PAIRS:
        for t in rng.sample(TECH_PAIR_TEMPLATES, 2):
            out.append(spoken(t.format(a=a, b=b, A=a[:1].upper() + a[1:]), rng))
    for task in TECH_TASKS:
        for t in rng.sample(TECH_TASK_TEMPLATES, 2):
            out.append(spoken(t.format(t=task), rng))
    for e in TECH_EVENTS:
        for t in rng.sample(TECH_EVENT_TEMPLATES, 3):
            out.append(spoken(t.format(e=e), rng))
    # multi-part technical questions
    for _ in range(60):
        c = rng.choice(TECH_CONCEPTS)
        out.append(spoken(f"What is {c}? " + rng.choice([
            "Why is it useful?", "When would you use it?", "How does it work?", "Can you give an example?",
            "What are the downsides?", "And how would you test it?",
        ]), rng, closer=False))
    return out


def behavioral(rng: random.Random) -> list[str]:
    out = []
    for e in EXPERIENCES:
        for t in rng.sample(BEHAV_TEMPLATES, 4):
            q = t.format(e=e)
            if rng.random() < 0.2:
                q += " " + rng.choice([
                    "What did you learn from it?", "What was the outcome?", "What would you do differently?",
                    "How did it turn out?", "What was your role?", "And how did the other person react?",
                ])
            out.append(spoken(q, rng))
    for s in PAST_SUPERLATIVES:
        for t in rng.sample(BEHAV_SUPER_TEMPLATES, 3):
            out.append(spoken(t.format(s=s), rng))
    for q in BEHAV_EXTRA:
        out.append(spoken(q, rng))
        out.append(spoken(q, rng))
    return out


def situational(rng: random.Random) -> list[str]:
    out = []
    for s in SCENARIOS:
        for t in rng.sample(SIT_TEMPLATES, 7):
            out.append(spoken(t.format(s=s), rng))
    for n in SITUATIONAL_NP:
        for t in rng.sample(SIT_NP_TEMPLATES, 3):
            out.append(spoken(t.format(n=n), rng))
    return out


def cultural(rng: random.Random) -> list[str]:
    out = []
    for q in CULTURAL:
        for t in rng.sample(CULTURAL_TEMPLATES, 4):
            out.append(spoken(t.format(q=q, ql=_lower_first(q)), rng, opener=(t == "{q}")))
    return out


def negatives(rng: random.Random) -> list[tuple[str, str]]:
    out = []
    for c in COMPANY:
        for _ in range(3):
            lead = rng.choice(["", "So ", "Just so you know, ", "A bit of context: ", "Okay, so ", "Right now ", "Um, so "])
            text = lead + c + "."
            text = text[:1].upper() + text[1:]
            if rng.random() < 0.4:
                text = rng.choice(ACKS) + " " + text
            out.append((text, "statement"))
    for a in ACKS:
        out.append((a, "acknowledgement"))
        out.append((a + " " + rng.choice(ACKS), "acknowledgement"))
    for s in SMALL_TALK:
        out.append((s, "small_talk"))
        out.append((rng.choice(["", "Oh, ", "Hey, ", "Okay, "]) + _lower_first(s), "small_talk"))
    for c in set(CLOSERS + REMARKS):
        if c.strip():
            out.append((c.strip(), "remark"))
            out.append((c.strip().rstrip(".") + ", no rush.", "remark"))
    for a in ANSWERS:
        out.append((a, "answer"))
        out.append((spoken(a, rng, opener=False, closer=False), "answer"))
    for _ in range(260):
        subj = rng.choice(NARRATIVE_SUBJ)
        text = f"{subj} {rng.choice(NARRATIVE_VERB)}{rng.choice(NARRATIVE_TAILS)}."
        text = text[:1].upper() + text[1:]
        if rng.random() < 0.3:
            text += " " + rng.choice(NARRATIVE_FIXED)
        out.append((text, "narrative"))
    for f in NARRATIVE_FIXED:
        out.append((f, "narrative"))
        out.append((f, "narrative"))
    return out


def read_speech_style(text: str) -> str:
    """LibriSpeech-like transcripts: upper case, no punctuation."""
    kept = "".join(ch for ch in text if ch.isalnum() or ch in " '")
    return " ".join(kept.upper().split())


def main() -> None:
    rng = random.Random(SEED)
    rows: list[tuple[str, int, str, str]] = []
    for label, make in (("technical", technical), ("behavioral", behavioral),
                        ("situational", situational), ("cultural", cultural)):
        for text in make(rng):
            rows.append((text, 1, label, "question"))
    for text, kind in negatives(rng):
        rows.append((text, 0, "none", kind))
        if kind == "narrative" and rng.random() < 0.5:
            rows.append((read_speech_style(text), 0, "none", kind))
    seen, unique = set(), []
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            unique.append(row)
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["text", "is_question", "type", "kind"])
        w.writerows(unique)
    counts: dict[str, int] = {}
    for r in unique:
        counts[r[2]] = counts.get(r[2], 0) + 1
    print(f"wrote {len(unique)} rows to {OUT}: {counts}")


if __name__ == "__main__":
    main()
