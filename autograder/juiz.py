"""O juiz: os testes das células avaliadas correm aqui, fora do processo do aluno.

Porquê: tudo o que corre no kernel do aluno pode ser mudado pelo aluno (um transformador de
AST do IPython que embrulha cada célula num ``try``, um ``assert`` trocado por ``pass``, um
``np.allclose`` substituído, um ``int`` cujo ``__eq__`` diz sempre que sim). Se o veredicto
fosse calculado lá, uma célula acrescentada dava a nota toda sem código nenhum.

Como (DESIGN/docs: «nenhum veredicto no processo do aluno»):

1. o nbgrader corre o caderno do aluno no kernel da caixa de areia (``caixa.py``) como sempre,
   mas as células de teste julgadas correm vazias (nenhum teste lá entra);
2. com o kernel ainda vivo, o juiz corre, neste processo, o código de cada célula de teste
   (visível e oculto) num espaço de nomes seu: o contexto do caderno (a secção
   ``# %% contexto`` de ``testes_ocultos/NN_nome.py``: imports, dados, modelos que os testes
   usam, calculados aqui) e, no lugar de cada exercício do manifesto, um ``ChamadaRemota``;
3. cada chamada a um exercício é um pedido ao kernel do aluno
   (``otimizacao.servico_avaliacao.servir``) com os argumentos como dados simples; a resposta
   volta como dados simples (``de_dados``: nunca pickle, nunca um objeto do aluno), ou como o
   erro que a função levantou (com o tipo embutido mais próximo);
4. o juiz escreve a saída de cada célula de teste (nada, ou um erro com a mensagem) e o
   ``SaveAutoGrades`` do nbgrader dá a nota a partir dela, como sempre.

Uma observação em falta (o kernel morreu, a resposta não veio) ou mal formada faz falhar o
teste que a pediu. Uma forjada (o aluno mudou o ``servir``) vale o mesmo que a função devolver
esses valores — que o aluno teria de calcular, porque os esperados nunca saem daqui.

Um teste que precisa de uma variável do caderno (a curva de um treino feito lá) lê-a do kernel
como dado simples, depois de o caderno correr: o contexto lista-as em ``DO_KERNEL`` e o seu
``depois_do_caderno()`` calcula aqui, a partir delas, o que se espera.

Um caderno é julgado aqui quando o seu ficheiro de testes ocultos tem a secção
``# %% contexto``; as células que esse contexto lista em ``CELULAS_NO_KERNEL`` (e os cadernos
sem contexto) ainda correm os testes no kernel (ver README, «Modelo de ameaças»).
"""

from __future__ import annotations

import base64
import builtins
import json
from dataclasses import dataclass, field
from pathlib import Path

from autograder import comum

CONTEXTO = "contexto"


class ObservacaoEmFalta(RuntimeError):
    """O kernel do aluno não respondeu a um pedido (morreu, esgotou o tempo, respondeu mal)."""


class FalhaDoJuiz(BaseException):
    """Uma falha da própria avaliação (não do aluno): a entrega fica «não avaliada». Deriva de
    BaseException para que nenhum ``except Exception`` de um teste a transforme num teste falhado."""


class ErroDoAluno(Exception):
    """Um erro levantado pela função do aluno, trazido para cá com o tipo embutido mais próximo."""


_classes_de_erro: dict[str, type] = {}


def _erro_do_aluno(tipos: list[str], mensagem: str) -> BaseException:
    """Reconstrói o erro do aluno: uma subclasse de ``ErroDoAluno`` e do primeiro tipo embutido
    da sua hierarquia (``levanta(ValueError, …)`` e ``except NotImplementedError`` continuam a
    funcionar), com a mensagem. Nunca se cria um tipo do aluno."""
    base = Exception
    for nome in tipos:
        candidato = getattr(builtins, str(nome), None)
        if isinstance(candidato, type) and issubclass(candidato, Exception):
            base = candidato
            break
    nome = f"{tipos[0] if tipos else 'Erro'}"[:80]
    chave = f"{base.__name__}:{nome}"
    if chave not in _classes_de_erro:
        _classes_de_erro[chave] = type(nome, (ErroDoAluno, base), {})
    return _classes_de_erro[chave](mensagem)


def contexto_do_caderno(caderno: str, autograder: Path | None = None) -> str | None:
    """O código da secção ``contexto`` do caderno (None: o caderno ainda não é julgado aqui)."""
    pasta = Path(autograder) if autograder else comum.AUTOGRADER
    return comum.seccoes_dos_testes_ocultos(pasta / "testes_ocultos" / f"{caderno}.py").get(CONTEXTO)


def _literal_do_contexto(contexto: str, nome: str):
    """O valor literal de ``nome = …`` no contexto, lido sem o correr (None se não houver)."""
    import ast

    for no in ast.parse(contexto).body:
        if isinstance(no, ast.Assign) and any(isinstance(a, ast.Name) and a.id == nome for a in no.targets):
            return ast.literal_eval(no.value)
    return None


def celulas_no_kernel(contexto: str) -> set[str]:
    """As células de teste que o contexto deixa, por agora, no kernel do aluno
    (``CELULAS_NO_KERNEL = {...}``, um literal): as que precisam de objetos que ainda não
    atravessam a fronteira como dados simples (modelos do Keras, classes usadas dentro do
    ``fit``). Lido sem correr o contexto: decide-se antes de o caderno correr."""
    return set(_literal_do_contexto(contexto, "CELULAS_NO_KERNEL") or ())


def lidos_do_kernel(contexto: str) -> tuple[str, ...]:
    """As variáveis do caderno que o juiz lê do kernel depois de o caderno correr
    (``DO_KERNEL = (...)``, um literal): entradas dos testes, como a curva de um treino do
    caderno; o que se espera delas calcula-se no juiz (``depois_do_caderno()`` do contexto)."""
    return tuple(str(n) for n in (_literal_do_contexto(contexto, "DO_KERNEL") or ()))


def julgadas(celulas, contexto: str | None) -> list[int]:
    """Os índices das células de teste que o juiz avalia: as células de código avaliadas, sem
    resposta do aluno, de um caderno com contexto, fora de ``CELULAS_NO_KERNEL``."""
    if contexto is None:
        return []
    no_kernel = celulas_no_kernel(contexto)
    return [i for i, c in enumerate(celulas)
            if c.cell_type == "code" and comum.nbgrader_meta(c).get("grade")
            and not comum.nbgrader_meta(c).get("solution") and comum.nbgrader_meta(c).get("grade_id") not in no_kernel]


class _SemProgresso:
    """No juiz, o registo de progresso do aluno não existe (as células de teste chamam-no)."""

    def registar(self, *args, **kwargs) -> None:
        return None

    def __getattr__(self, nome):
        return lambda *a, **k: None


class ChamadaRemota:
    """Um exercício do aluno visto do juiz: chamá-lo é um pedido ao kernel do aluno."""

    def __init__(self, canal, nome: str):
        self._canal, self.__name__ = canal, nome

    def __call__(self, *args, **kwargs):
        return self._canal.chamar(self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<exercício {self.__name__} do aluno>"


@dataclass
class Veredicto:
    passou: bool
    mensagem: str = ""
    parte: str = ""  # "visível" ou "oculta": onde falhou
    tipo: str = ""  # o tipo do erro que fez falhar (AssertionError, ValueError, ObservacaoEmFalta…)


@dataclass
class Julgamento:
    veredictos: dict[str, Veredicto] = field(default_factory=dict)
    falha_do_juiz: str = ""  # uma falha da própria avaliação (não do aluno): entrega «não avaliada»


def _mensagem(erro: BaseException) -> str:
    if isinstance(erro, AssertionError):
        return str(erro) or "Um teste falhou."
    if isinstance(erro, ErroDoAluno) and isinstance(erro, NotImplementedError):
        return f"{erro} (a função ainda tem o esqueleto)"
    return str(erro) or type(erro).__name__


def julgar_celula(visivel: str, oculta: str, espaco: dict) -> Veredicto:
    """Corre a parte visível e depois a oculta no espaço ``espaco``; o primeiro erro decide."""
    for parte, codigo in (("visível", visivel), ("oculta", oculta)):
        if not codigo.strip():
            continue
        try:
            exec(compile(codigo, f"<teste {parte}>", "exec"), espaco)  # noqa: S102 (código do professor)
        except NameError as erro:
            if isinstance(erro, ErroDoAluno):  # levantado pela função do aluno: é dele
                return Veredicto(False, _mensagem(erro), parte, type(erro).__name__)
            # Um nome que o contexto do juiz não define: a falha é da avaliação, nunca um 0.
            raise FalhaDoJuiz(f"o teste ({parte}) usa um nome que o contexto do juiz não define: {erro}") from None
        except Exception as erro:  # noqa: BLE001 (qualquer outro erro num teste é um teste falhado)
            return Veredicto(False, _mensagem(erro), parte, type(erro).__name__)
    return Veredicto(True)


class _SementesParaOAluno:
    """O ``otimizacao.modelos`` do contexto, com ``fixar_sementes`` a valer também no kernel do
    aluno: o teste fixa as sementes no juiz e a chamada seguinte leva-as (mesma entrega, mesma
    nota: o treino do aluno corre lá)."""

    def __init__(self, modulo):
        self._modulo, self.pendente = modulo, None

    def fixar_sementes(self, semente=0):
        self.pendente = semente
        return self._modulo.fixar_sementes(semente)

    def __getattr__(self, nome):
        return getattr(self._modulo, nome)


def preparar_contexto(espaco: dict, contexto: str, nome: str) -> None:
    """Corre o contexto do caderno no espaço dos testes (código do professor, neste processo)."""
    exec(compile(contexto, f"<contexto de {nome}>", "exec"), espaco)  # noqa: S102
    if "modelos" in espaco and hasattr(espaco["modelos"], "fixar_sementes"):
        espaco["modelos"] = _SementesParaOAluno(espaco["modelos"])


def espaco_base(canal, exercicios: list[str]) -> dict:
    """O espaço de nomes onde correm os testes: o que todos os cadernos usam, e os exercícios."""
    import numpy as np

    from otimizacao.verificacao import levanta

    espaco = {"__name__": "__juiz__", "np": np, "levanta": levanta, "progresso": _SemProgresso()}
    for nome in exercicios:
        espaco[nome] = ChamadaRemota(canal, nome)
    return espaco


def _tensores() -> str:
    """Tensores do aluno chegam ao juiz como tensores se o contexto do caderno importou o
    TensorFlow (os testes usam ``.numpy()``), senão como arrays."""
    import sys

    return "nativos" if "tensorflow" in sys.modules else "numpy"


def pedido(nome: str, args: tuple, kwargs: dict, semente=None, ler: bool = False) -> str:
    """O código a correr no kernel do aluno para uma chamada (só os dados de entrada); com ``ler``,
    o pedido do valor da variável ``nome`` do caderno (sem a chamar)."""
    from otimizacao.servico_avaliacao import para_dados

    msg = {"nome": nome, "args": para_dados(tuple(args)), "kwargs": para_dados(dict(kwargs)), "semente": semente,
           "ler": bool(ler)}
    try:
        import numpy as np

        msg["errstate"] = {k: v for k, v in np.geterr().items() if k in ("divide", "over", "under", "invalid")}
    except ImportError:
        pass
    texto = base64.b64encode(json.dumps(msg).encode("utf-8")).decode("ascii")
    return f'__import__("otimizacao.servico_avaliacao", fromlist=["servir"]).servir("{texto}", globals())'


def sonda(acao: str) -> str:
    """O código da sonda no kernel do aluno (``servico_avaliacao.marcar`` / ``inspecionar``)."""
    if acao not in ("marcar", "inspecionar"):
        raise ValueError(acao)
    return f'__import__("otimizacao.servico_avaliacao", fromlist=["{acao}"]).{acao}()'


_ADULTERACOES = {
    "ast": "instala um transformador de AST do IPython (muda o código de cada célula antes de correr)",
    "entrada": "instala um transformador de texto do IPython (input_transformers_post: reescreve cada célula)",
    "limpeza": "mexe nos transformadores de limpeza do IPython (input_transformers_cleanup)",
    "excecoes": "esconde exceções com set_custom_exc",
    "excepthook": "substitui o sys.excepthook",
    "sem_marca": "apagou o estado que o avaliador guardou no início do kernel",
    "sem_resposta": "não deixou o avaliador inspecionar o kernel no fim (a sonda não respondeu)",
}


def descrever_adulteracao(codigo: str) -> str:
    """O código de um achado da sonda, em pt-PT, para o relatório."""
    codigo = str(codigo)
    if codigo in _ADULTERACOES:
        return _ADULTERACOES[codigo]
    if codigo.startswith("eventos:"):
        return f"regista uma função no evento {codigo.removeprefix('eventos:')} do IPython"
    if codigo.startswith("sombra:"):
        return f"redefine o nome do Python «{codigo.removeprefix('sombra:')}» ao nível do caderno"
    return f"substitui {codigo}"


def _repor(original, depois) -> None:
    """Repõe em ``original`` (um argumento do juiz) o estado que a função do aluno lhe deixou:
    listas, dicionários e arrays mudados no lugar ficam mudados também aqui."""
    import numpy as np

    if isinstance(original, list) and isinstance(depois, list):
        if len(original) == len(depois):
            for i, (a, b) in enumerate(zip(original, depois, strict=True)):
                if isinstance(a, (list, dict, np.ndarray)):
                    _repor(a, b)
                else:
                    original[i] = b
        else:
            original[:] = depois
    elif isinstance(original, dict) and isinstance(depois, dict):
        for chave in [k for k in original if k not in depois]:
            del original[chave]
        for chave, valor in depois.items():
            if chave in original and isinstance(original[chave], (list, dict, np.ndarray)):
                _repor(original[chave], valor)
            else:
                original[chave] = valor
    elif isinstance(original, np.ndarray) and isinstance(depois, np.ndarray) and original.flags.writeable:
        if original.shape == depois.shape:
            original[...] = depois
    elif _e_modelo_keras(original) and _e_modelo_keras(depois):
        antes, agora = original.get_weights(), depois.get_weights()
        if len(antes) == len(agora) and all(a.shape == b.shape for a, b in zip(antes, agora, strict=True)):
            original.set_weights(agora)


def _e_modelo_keras(valor) -> bool:
    import sys

    keras = sys.modules.get("tf_keras")
    return keras is not None and isinstance(valor, keras.Model)


def resposta(saidas: list, args: tuple = (), kwargs: dict | None = None) -> object:
    """O valor (ou o erro) da resposta do kernel, a partir das saídas da execução do pedido;
    ``args``/``kwargs`` (os do juiz) recebem as mudanças que a função lhes fez no lugar."""
    from otimizacao.servico_avaliacao import MIME, ObservacaoInvalida, de_dados

    respostas = [s for s in saidas if s.get("output_type") in ("display_data", "execute_result")
                 and MIME in s.get("data", {})]
    if not respostas:
        erros = [s for s in saidas if s.get("output_type") == "error"]
        detalhe = f" ({erros[-1].get('ename')}: {str(erros[-1].get('evalue'))[:200]})" if erros else ""
        raise ObservacaoEmFalta("O teu kernel não respondeu a uma chamada do avaliador" + detalhe
                                + ": morreu, esgotou o tempo, ou o caderno mudou a forma como o código corre.")
    dados = respostas[-1]["data"][MIME]
    if isinstance(dados, str):
        dados = json.loads(dados)
    if isinstance(dados, dict) and isinstance(dados.get("erro"), dict):
        erro = dados["erro"]
        tipos = [str(t) for t in erro.get("tipos", [])][:20] if isinstance(erro.get("tipos"), list) else []
        raise _erro_do_aluno(tipos, str(erro.get("mensagem", ""))[:2000])
    try:
        if not isinstance(dados, dict):
            raise ObservacaoInvalida("formato inválido")
        valor = de_dados(dados["ok"], tensores=_tensores())
        if "depois" in dados:
            args_depois, kwargs_depois = de_dados(dados["depois"], tensores=_tensores())
            if len(args_depois) == len(args):
                _repor(list(args), list(args_depois))
            for chave, original in (kwargs or {}).items():
                if chave in kwargs_depois:
                    _repor(original, kwargs_depois[chave])
        return valor
    except (ObservacaoInvalida, KeyError, TypeError, ValueError) as erro:
        raise ObservacaoEmFalta(f"A resposta do teu kernel a uma chamada do avaliador não é válida ({erro}).") from None
