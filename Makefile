# A interface do projeto (README.md explica cada comando).
# Alvos principais: curso, professor, test, notebooks, avaliar, bench, bench-avaliacao.
# turma: a turma a sério num JupyterHub desta máquina (como root: sudo make turma ALUNOS=turma.csv).

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.instalado
PORTA  ?= 8888
# TORCH_CPU=1 (Linux sem GPU NVIDIA, só na preparação): a mesma versão fixada do torch, mas a
# build só para CPU, do índice do PyTorch (sem as bibliotecas CUDA). Por omissão, nada muda.
INDICE_TORCH_CPU ?= https://download.pytorch.org/whl/cpu

.PHONY: setup curso professor test test-rapido lint notebooks avaliar bench bench-avaliacao limpar

# Preparação idempotente: só reinstala quando requirements.txt ou pyproject.toml mudam.
$(STAMP): requirements.txt pyproject.toml
	@echo "» A preparar o ambiente em $(VENV) (só acontece da primeira vez ou quando as versões mudam)…"
	$(PYTHON) -m venv $(VENV)
	$(if $(TORCH_CPU),$(PY) -m pip install --quiet "$$(grep -E '^torch==' requirements.txt)" --index-url $(INDICE_TORCH_CPU),)
	$(PY) -m pip install --quiet -r requirements.txt 2>&1 | { grep -v "is ignored: it is neither" || true; }
	$(PY) -m pip install --quiet --no-deps -e . 2>&1 | { grep -v "is ignored: it is neither" || true; }
	@rm -rf course/*.egg-info  # deixado por instalações antigas (agora fica na raiz: pyproject.toml)
	@touch $(STAMP)
	@echo "» Ambiente pronto."

setup: $(STAMP)

# A configuração do Jupyter do projeto (jupyter_config/, ver o README de lá): sem a pergunta
# das notícias, sem pastas de build nem caches no explorador, a troca do nbgrader local.
# Junta-se ao JUPYTER_CONFIG_PATH; a configuração do utilizador (~/.jupyter) continua a ganhar.
# O .venv/bin vai à frente no PATH: o nbgrader chama o «alembic» pelo nome ao criar o gradebook
# (sem isto, o formgrader de um curso acabado de clonar dá erro 500).
JUPYTER_PROJETO := JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter_config$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH),)" \
  PATH="$(CURDIR)/$(VENV)/bin:$$PATH"
# NO_BROWSER=1 arranca um servidor sem abrir o navegador; PORTA escolhe a porta.
# (como root, num contentor, o Jupyter exige --allow-root)
OPCOES_LAB = --port=$(PORTA) $(if $(NO_BROWSER),--no-browser,) $(if $(filter 0,$(shell id -u)),--allow-root,)

# O trabalho do aluno: JupyterLab aberto em course/ (com a extensão do nbgrader), só com as
# ferramentas do aluno: a configuração de jupyter_config/aluno/ (à frente da do projeto) desliga o
# formgrader, o create assignment e a lista de cursos, como para os alunos do make turma.
curso: setup
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter_config/aluno:$(CURDIR)/jupyter_config$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH),)" \
	  PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m jupyterlab --ServerApp.root_dir=course $(OPCOES_LAB)

# O trabalho do professor: JupyterLab na pasta do curso do professor (professor/, a raiz do
# nbgrader: só o curso, sem o código do motor), com o formgrader a listar todas as tarefas. Gera o
# source/ e o release/ se faltarem (para os refazer depois de mudar os cadernos: make notebooks).
# Corre dentro de professor/ para o formgrader ler o nbgrader_config.py do curso (uma cópia do
# autograder/nbgrader_config.py, renovada aqui). O endereço impresso abre o formgrader já com a chave de acesso
# (o JUPYTER_TOKEN, se o definires; senão uma nova a cada arranque), passada ao Jupyter pelo
# ambiente, não na linha de comandos (onde o ps a mostraria a todos). Sem port_retries, o
# Jupyter não muda de porta sozinho: o endereço impresso é sempre o certo.
professor: setup
	@test -d professor/source -a -d professor/release || $(MAKE) --no-print-directory notebooks
	@mkdir -p professor/exchange && cp autograder/nbgrader_config.py professor/
	@chave="$${JUPYTER_TOKEN:-$$($(PY) -c 'import secrets; print(secrets.token_hex(24))')}"; \
	echo "» Formgrader (abre já, sem pedir a chave): http://localhost:$(PORTA)/formgrader?token=$$chave"; \
	echo "  (ou, no JupyterLab, o menu Nbgrader › Formgrader; porta $(PORTA) ocupada? make professor PORTA=8899)"; \
	cd professor && $(GRADEBOOK_URL) $(JUPYTER_PROJETO) JUPYTER_TOKEN="$$chave" \
	  ../$(PY) -m jupyterlab $(OPCOES_LAB) --ServerApp.port_retries=0

lint: setup
	$(PY) -m ruff check .

# O que o .ci/run chama. PARALELO=N processos do pytest-xdist (por omissão 2: cada um treina
# modelos e corre o nbgrader, que já usam os núcleos; mais do que 2 só com memória de sobra, ~3 GB
# cada); PARALELO=0 corre tudo num só processo. Cada ficheiro de testes fica inteiro num só
# processo (tests/conftest.py, pytest_xdist_make_scheduler).
PARALELO ?= 2
test: setup lint
	$(PY) -m pytest $(if $(filter 0,$(PARALELO)),,-n $(PARALELO)) $(PYTEST_ARGS)

# O escalão rápido para o dia a dia (poucos minutos): tudo menos os testes marcados «lento»
# (executar cadernos, treinar modelos, correr o nbgrader; ver tests/conftest.py).
test-rapido: setup lint
	$(PY) -m pytest -m "not lento" $(PYTEST_ARGS)

# Regenera source/ e release/ do nbgrader a partir de course/ + solutions/ + testes ocultos.
notebooks: setup
	$(PY) -m autograder.construir

# GRADEBOOK=postgresql://utilizador@servidor/curso: o gradebook principal num PostgreSQL (por
# omissão, o SQLite professor/gradebook.db); serve o make avaliar e o make professor.
GRADEBOOK_URL = $(if $(GRADEBOOK),CURSO4_GRADEBOOK_URL="$(GRADEBOOK)",)
# MOTOR=tcp://servidor:8786 manda cada entrega a um escalonador do Dask (autograder/distribuido.py);
# MOTOR=local, o mesmo num LocalCluster desta máquina; sem MOTOR, o conjunto local de sempre.
# O trabalho do professor: avalia SUBMISSOES=pasta (pasta/<aluno>/<tarefa>/*.ipynb) ou a turma de demonstração.
# WORKERS=N entregas em paralelo (por omissão, o número de núcleos); REFAZER=1 reavalia tudo;
# TAREFAS="00_numeros_e_memoria 01_ptq_tflite" limita as tarefas; ALUNOS=turma.csv (numero,nome,email,
# a lista do make turma) dá os nomes dos alunos ao formgrader (sem ela, vêm das pastas).
avaliar: setup
	$(GRADEBOOK_URL) $(PY) -m autograder.avaliar $(if $(SUBMISSOES),--submissoes "$(SUBMISSOES)",) \
	  $(if $(WORKERS),--workers $(WORKERS),) $(if $(REFAZER),--refazer,) $(if $(TAREFAS),--tarefas $(TAREFAS),) \
	  $(if $(MOTOR),--motor $(MOTOR),) $(if $(ALUNOS),--alunos "$(ALUNOS)",)

bench: setup
	$(PY) -m bench.bench

# Quanto custa avaliar uma turma: ALUNOS=20 (omissão), TAREFAS=…, WORKERS=…, MOTOR= (o Dask a comparar
# com as threads locais: local por omissão, tcp://…, ou nenhum; ver bench/bench_avaliacao.py).
bench-avaliacao: setup
	$(PY) -m bench.bench_avaliacao $(if $(TAREFAS),--tarefas $(TAREFAS)) $(if $(WORKERS),--workers $(WORKERS)) $(if $(ALUNOS),--alunos $(ALUNOS)) \
	  $(if $(MOTOR),--motor $(MOTOR))

# A turma a sério (como root): ALUNOS=turma.csv (numero,nome,email) cria as contas e arranca o
# JupyterHub com o nbgrader partilhado (turma/hub.py; README, «Uma turma a sério no JupyterHub»).
# O proxy do JupyterHub (npm configurable-http-proxy, versão exata em turma/package.json) é
# instalado aqui, em turma/node_modules. PORTA por omissão: 8000; NO_BROWSER=1 como no curso.
turma/node_modules/.instalado: turma/package.json turma/package-lock.json
	cd turma && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: turma
turma: setup turma/node_modules/.instalado
	$(PY) -m turma.hub --alunos "$(ALUNOS)" --porta $(if $(filter command line environment,$(origin PORTA)),$(PORTA),8000) \
	  $(if $(NO_BROWSER),--sem-navegador,)

# Tudo o que a avaliação e o build geram está em professor/ (o curso do professor): limpar é apagá-la.
limpar:
	rm -rf professor
