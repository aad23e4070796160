# A interface do projeto (README.md explica cada comando).
# Alvos principais: curso, test, notebooks, avaliar, bench, bench-avaliacao.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.instalado
PORTA  ?= 8888

.PHONY: setup curso test lint notebooks avaliar bench bench-avaliacao limpar

# Preparação idempotente: só reinstala quando requirements.txt ou pyproject.toml mudam.
$(STAMP): requirements.txt pyproject.toml
	@echo "» A preparar o ambiente em $(VENV) (só acontece da primeira vez ou quando as versões mudam)…"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt 2>&1 | { grep -v "is ignored: it is neither" || true; }
	$(PY) -m pip install --quiet --no-deps -e . 2>&1 | { grep -v "is ignored: it is neither" || true; }
	@touch $(STAMP)
	@echo "» Ambiente pronto."

setup: $(STAMP)

# O trabalho do aluno: JupyterLab aberto em course/ (com a extensão do nbgrader).
# NO_BROWSER=1 arranca um servidor sem abrir o navegador; PORTA escolhe a porta.
# (como root, num contentor, o Jupyter exige --allow-root)
curso: setup
	$(PY) -m jupyterlab --ServerApp.root_dir=course --port=$(PORTA) \
	  $(if $(NO_BROWSER),--no-browser,) $(if $(filter 0,$(shell id -u)),--allow-root,)

lint: setup
	$(PY) -m ruff check .

# O que o .ci/run chama.
test: setup lint
	$(PY) -m pytest $(PYTEST_ARGS)

# Regenera source/ e release/ do nbgrader a partir de course/ + solutions/ + testes ocultos.
notebooks: setup
	$(PY) -m autograder.construir

# O trabalho do professor: avalia SUBMISSOES=pasta (pasta/<aluno>/<tarefa>/*.ipynb) ou a turma de demonstração.
# WORKERS=N entregas em paralelo (por omissão, o número de núcleos); REFAZER=1 reavalia tudo;
# TAREFAS="00_numeros_e_memoria 01_ptq_tflite" limita as tarefas.
avaliar: setup
	$(PY) -m autograder.avaliar $(if $(SUBMISSOES),--submissoes "$(SUBMISSOES)",) \
	  $(if $(WORKERS),--workers $(WORKERS),) $(if $(REFAZER),--refazer,) $(if $(TAREFAS),--tarefas $(TAREFAS),)

bench: setup
	$(PY) -m bench.bench

# Quanto custa avaliar uma turma: ALUNOS=20 (omissão), TAREFAS=…, WORKERS=… (ver bench/bench_avaliacao.py).
bench-avaliacao: setup
	$(PY) -m bench.bench_avaliacao $(if $(TAREFAS),--tarefas $(TAREFAS)) $(if $(WORKERS),--workers $(WORKERS)) $(if $(ALUNOS),--alunos $(ALUNOS))

limpar:
	rm -rf autograder/source autograder/release autograder/submitted autograder/autograded \
	       autograder/feedback autograder/gradebook.db autograder/grades.csv autograder/turma_demo \
	       autograder/.avaliacao autograder/notas_por_exercicio.csv autograder/relatorio_avaliacao.md
